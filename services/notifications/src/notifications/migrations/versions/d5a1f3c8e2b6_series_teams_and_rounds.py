"""series teams and rounds

Revision ID: d5a1f3c8e2b6
Revises: b4d2e6f81a37
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'd5a1f3c8e2b6'
down_revision: str | None = 'b4d2e6f81a37'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('booking', sa.Column('team_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column('booking_series', sa.Column('round_id', sa.Uuid(), nullable=True))
    op.add_column('booking_series', sa.Column('team_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column('booking_series', sa.Column('team_changes', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('booking_series', sa.Column('team_changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('booking_series', 'team_changed_at')
    op.drop_column('booking_series', 'team_changes')
    op.drop_column('booking_series', 'team_name')
    op.drop_column('booking_series', 'round_id')
    op.drop_column('booking', 'team_name')
