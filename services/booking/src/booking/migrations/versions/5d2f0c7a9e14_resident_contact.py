"""resident contact on bookings and series

Revision ID: 5d2f0c7a9e14
Revises: b61e3a95d0c7
Create Date: 2026-11-30 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '5d2f0c7a9e14'
down_revision: str | None = 'b61e3a95d0c7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('booking', sa.Column('contact', postgresql.JSONB(), nullable=True))
    op.add_column('booking_series', sa.Column('contact', postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column('booking_series', 'contact')
    op.drop_column('booking', 'contact')
