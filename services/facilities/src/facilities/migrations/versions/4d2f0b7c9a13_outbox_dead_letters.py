"""outbox dead letters: rows the relay could not produce, moved aside with their error

Revision ID: 4d2f0b7c9a13
Revises: e85d3e9ce6cc
Create Date: 2026-11-30 01:00:00.000000
"""

from collections.abc import Sequence

from samspill.migrations import create_outbox_dead_letter_table, drop_outbox_dead_letter_table

revision: str = '4d2f0b7c9a13'
down_revision: str | None = 'e85d3e9ce6cc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_dead_letter_table()


def downgrade() -> None:
    drop_outbox_dead_letter_table()
