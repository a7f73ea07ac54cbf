"""organisations' emergency preparedness

Revision ID: 9f4c2a7d1b63
Revises: a7d3e5f1c9b2
Create Date: 2027-01-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '9f4c2a7d1b63'
down_revision: str | None = 'a7d3e5f1c9b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'organisation_preparedness',
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('volunteers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('equipment', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('vehicles', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('agreements', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('contact_24_7', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organisation_id'],
            ['organisation.id'],
            name=op.f('fk_organisation_preparedness_organisation_id_organisation'),
        ),
        sa.PrimaryKeyConstraint(
            'organisation_id', name=op.f('pk_organisation_preparedness')
        ),
    )


def downgrade() -> None:
    op.drop_table('organisation_preparedness')
