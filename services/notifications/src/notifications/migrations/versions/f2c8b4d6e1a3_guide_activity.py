"""the public activity guide's read model

Revision ID: f2c8b4d6e1a3
Revises: e7c3a9f14b52
Create Date: 2027-01-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'f2c8b4d6e1a3'
down_revision: str | None = 'e7c3a9f14b52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'guide_activity',
        sa.Column('series_id', sa.Uuid(), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('organisation_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('team_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('site_id', sa.Uuid(), nullable=False),
        sa.Column('site_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('space_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('local_start_time', sa.Time(), nullable=False),
        sa.Column('local_end_time', sa.Time(), nullable=False),
        sa.Column('first_date', sa.Date(), nullable=False),
        sa.Column('last_date', sa.Date(), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('activity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('activity_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('age_group', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('languages', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('takes_new_members', sa.Boolean(), nullable=False),
        sa.Column('how_to_join', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('series_id'),
    )
    for column in ('organisation_id', 'district', 'activity_key'):
        op.create_index(
            op.f(f'ix_guide_activity_{column}'), 'guide_activity', [column], unique=False
        )


def downgrade() -> None:
    for column in ('organisation_id', 'district', 'activity_key'):
        op.drop_index(op.f(f'ix_guide_activity_{column}'), table_name='guide_activity')
    op.drop_table('guide_activity')
