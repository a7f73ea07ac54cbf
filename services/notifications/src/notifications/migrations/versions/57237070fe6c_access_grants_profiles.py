"""access grants, profiles and admin-issued feed tokens

The read model of booking's memberships and facilities' staff grants (the kernel's
`access_grant` table), people's profiles, and the mark on an organisation feed token a
municipal admin took without being a member.

Revision ID: 57237070fe6c
Revises: 3e5b1c7d9a20
Create Date: 2026-12-06 06:53:33.459880
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '57237070fe6c'
down_revision: str | None = '3e5b1c7d9a20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'access_grant',
        sa.Column('person_id', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.String(length=80), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint('person_id', 'kind', 'object_id', name=op.f('pk_access_grant')),
    )
    op.create_table(
        'profile',
        sa.Column('person_id', sa.String(length=80), nullable=False),
        sa.Column('display_name', sa.String(), nullable=True),
        sa.Column('email', sa.String(), nullable=True),
        sa.Column('phone', sa.String(), nullable=True),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_profile')),
    )
    op.add_column(
        'feed_token',
        sa.Column('admin_issued', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    )


def downgrade() -> None:
    op.drop_column('feed_token', 'admin_issued')
    op.drop_table('profile')
    op.drop_table('access_grant')
