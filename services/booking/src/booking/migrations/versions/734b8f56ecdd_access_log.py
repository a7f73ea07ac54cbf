"""access log: who viewed whose personal data, when, what and why

Revision ID: 734b8f56ecdd
Revises: 21c8565be406
Create Date: 2026-12-14 09:00:00.000000
"""

from collections.abc import Sequence

from samspill.migrations import create_access_log_table, drop_access_log_table

revision: str = '734b8f56ecdd'
down_revision: str | None = '21c8565be406'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_access_log_table()


def downgrade() -> None:
    drop_access_log_table()
