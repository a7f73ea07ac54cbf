"""public activities: a club's series shown in the activity guide

Revision ID: a7d3e5f1c9b2
Revises: f1a7c3e9b2d4
Create Date: 2027-01-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'a7d3e5f1c9b2'
down_revision: str | None = 'f1a7c3e9b2d4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'public_activity',
        sa.Column('series_id', sa.Uuid(), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('activity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('age_group', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('languages', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('takes_new_members', sa.Boolean(), nullable=False),
        sa.Column('how_to_join', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['series_id'], ['booking_series.id']),
        sa.PrimaryKeyConstraint('series_id'),
    )
    op.create_index(
        op.f('ix_public_activity_organisation_id'),
        'public_activity',
        ['organisation_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_public_activity_organisation_id'), table_name='public_activity')
    op.drop_table('public_activity')
