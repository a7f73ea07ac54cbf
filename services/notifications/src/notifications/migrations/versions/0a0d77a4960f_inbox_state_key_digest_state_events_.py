"""inbox state key digest: state events' keys for the rebuild check

Revision ID: 0a0d77a4960f
Revises: f2c8b4d6e1a3
Create Date: 2026-12-06 14:58:31.557642
"""

from collections.abc import Sequence

from samspill.migrations import add_inbox_state_key_digest, drop_inbox_state_key_digest

revision: str = '0a0d77a4960f'
down_revision: str | None = 'f2c8b4d6e1a3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_inbox_state_key_digest()


def downgrade() -> None:
    drop_inbox_state_key_digest()
