"""access log: who viewed whose personal data, when, what and why

Revision ID: b6c522114aa3
Revises: d5a1f3c8e2b6
Create Date: 2026-12-14 09:00:00.000000
"""

from collections.abc import Sequence

from samspill.migrations import create_access_log_table, drop_access_log_table

revision: str = 'b6c522114aa3'
down_revision: str | None = 'd5a1f3c8e2b6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_access_log_table()


def downgrade() -> None:
    drop_access_log_table()
