"""requisitions by the emergency staff, and sites' preparedness facts

Revision ID: b8f2d4e6a1c3
Revises: a7e51c3d9b20
Create Date: 2026-12-20 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'b8f2d4e6a1c3'
down_revision: str | None = 'a7e51c3d9b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'site', sa.Column('preparedness', postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.create_table('requisition',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('space_ids', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_requisition_interval_ordered')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_requisition_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requisition'))
    )
    op.create_index(op.f('ix_requisition_site_id'), 'requisition', ['site_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_requisition_site_id'), table_name='requisition')
    op.drop_table('requisition')
    op.drop_column('site', 'preparedness')
