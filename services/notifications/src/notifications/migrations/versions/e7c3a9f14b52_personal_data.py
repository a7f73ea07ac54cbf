"""personal data: residents' ids on their own bookings and series, the erased people

Revision ID: e7c3a9f14b52
Revises: b6c522114aa3
Create Date: 2027-01-10 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'e7c3a9f14b52'
down_revision: str | None = 'b6c522114aa3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('booking', sa.Column('resident_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.create_index(op.f('ix_booking_resident_id'), 'booking', ['resident_id'], unique=False)
    op.add_column('booking_series', sa.Column('resident_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.create_index(op.f('ix_booking_series_resident_id'), 'booking_series', ['resident_id'], unique=False)
    op.create_table(
        'erased_person',
        sa.Column('marker', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('marker'),
    )


def downgrade() -> None:
    op.drop_table('erased_person')
    op.drop_index(op.f('ix_booking_series_resident_id'), table_name='booking_series')
    op.drop_column('booking_series', 'resident_id')
    op.drop_index(op.f('ix_booking_resident_id'), table_name='booking')
    op.drop_column('booking', 'resident_id')
