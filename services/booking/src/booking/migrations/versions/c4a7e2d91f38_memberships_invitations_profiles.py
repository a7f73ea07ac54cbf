"""memberships, invitations and profiles; the staff grants facilities publishes

Revision ID: c4a7e2d91f38
Revises: 5d2f0c7a9e14
Create Date: 2026-12-06 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c4a7e2d91f38'
down_revision: str | None = '5d2f0c7a9e14'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "role IN ('administrator', 'booker', 'viewer')"


def upgrade() -> None:
    op.create_table(
        'membership',
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('person_id', sa.String(length=80), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(ROLES, name=op.f('ck_membership_known_role')),
        sa.ForeignKeyConstraint(
            ['organisation_id'],
            ['organisation.id'],
            name=op.f('fk_membership_organisation_id_organisation'),
        ),
        sa.PrimaryKeyConstraint('organisation_id', 'person_id', name=op.f('pk_membership')),
    )
    op.create_index(op.f('ix_membership_person_id'), 'membership', ['person_id'], unique=False)
    op.create_table(
        'invitation',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_by', sa.String(length=80), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(ROLES, name=op.f('ck_invitation_known_role')),
        sa.ForeignKeyConstraint(
            ['organisation_id'],
            ['organisation.id'],
            name=op.f('fk_invitation_organisation_id_organisation'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_invitation_code_hash')),
    )
    op.create_index(
        op.f('ix_invitation_organisation_id'), 'invitation', ['organisation_id'], unique=False
    )
    op.create_table(
        'profile',
        sa.Column('person_id', sa.String(length=80), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_profile')),
    )
    op.create_table(
        'access_grant',
        sa.Column('person_id', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.String(length=80), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint('person_id', 'kind', 'object_id', name=op.f('pk_access_grant')),
    )


def downgrade() -> None:
    op.drop_table('access_grant')
    op.drop_table('profile')
    op.drop_index(op.f('ix_invitation_organisation_id'), table_name='invitation')
    op.drop_table('invitation')
    op.drop_index(op.f('ix_membership_person_id'), table_name='membership')
    op.drop_table('membership')
