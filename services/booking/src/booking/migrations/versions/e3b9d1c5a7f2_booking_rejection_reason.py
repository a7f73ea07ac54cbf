"""the manager's reason on a rejected booking

Revision ID: e3b9d1c5a7f2
Revises: c4a7e2d91f38
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e3b9d1c5a7f2'
down_revision: str | None = 'c4a7e2d91f38'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'booking',
        sa.Column('rejection_reason', sa.String(length=500), nullable=True),
    )


def downgrade() -> None:
    op.drop_column('booking', 'rejection_reason')
