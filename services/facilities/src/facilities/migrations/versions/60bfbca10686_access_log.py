"""access log: who viewed whose personal data, when, what and why

Revision ID: 60bfbca10686
Revises: 329ba916a5ac
Create Date: 2026-12-14 09:00:00.000000
"""

from collections.abc import Sequence

from samspill.migrations import create_access_log_table, drop_access_log_table

revision: str = '60bfbca10686'
down_revision: str | None = '329ba916a5ac'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_access_log_table()


def downgrade() -> None:
    drop_access_log_table()
