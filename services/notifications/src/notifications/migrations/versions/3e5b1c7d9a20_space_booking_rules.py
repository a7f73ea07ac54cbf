"""space booking rules: step, buffer, horizon and longest booking beside the minimum

Revision ID: 3e5b1c7d9a20
Revises: 19c24a0a7d7c
Create Date: 2026-11-30 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3e5b1c7d9a20'
down_revision: str | None = '19c24a0a7d7c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    'max_minutes': '240',
    'granularity_minutes': '30',
    'buffer_minutes': '0',
    'horizon_days': '180',
}


def upgrade() -> None:
    for name, default in COLUMNS.items():
        op.add_column(
            'space', sa.Column(name, sa.Integer(), server_default=sa.text(default), nullable=False)
        )


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column('space', name)
