"""inbox state key digest: state events' keys for the rebuild check

Revision ID: 7d5cf178c035
Revises: b8f2d4e6a1c3
Create Date: 2026-12-06 14:58:15.605065
"""

from collections.abc import Sequence

from samspill.migrations import add_inbox_state_key_digest, drop_inbox_state_key_digest

revision: str = '7d5cf178c035'
down_revision: str | None = 'b8f2d4e6a1c3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_inbox_state_key_digest()


def downgrade() -> None:
    drop_inbox_state_key_digest()
