"""inbox state key digest: state events' keys for the rebuild check

Revision ID: c6ab433adfbc
Revises: 9f4c2a7d1b63
Create Date: 2026-12-06 14:58:00.712916
"""

from collections.abc import Sequence

from samspill.migrations import add_inbox_state_key_digest, drop_inbox_state_key_digest

revision: str = 'c6ab433adfbc'
down_revision: str | None = '9f4c2a7d1b63'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_inbox_state_key_digest()


def downgrade() -> None:
    drop_inbox_state_key_digest()
