"""message traceparent

The trace a message was queued in, so that sending it (later, in the delivery job) shows as a
child of the consumer span that queued it.

Revision ID: b4d2e6f81a37
Revises: 57237070fe6c
Create Date: 2026-12-06 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b4d2e6f81a37'
down_revision: str | None = '57237070fe6c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('message', sa.Column('traceparent', sa.String(length=60), nullable=True))


def downgrade() -> None:
    op.drop_column('message', 'traceparent')
