"""giving time back: freed time, its slots and held offers; the direct waiting list

Revision ID: f1a7c3e9b2d4
Revises: 734b8f56ecdd
Create Date: 2027-01-04 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'f1a7c3e9b2d4'
down_revision: str | None = '734b8f56ecdd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('direct_waiting_entry',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('space_id', sa.Uuid(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('activity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('age_group', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_direct_waiting_entry_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_waiting_entry'))
    )
    op.create_index(op.f('ix_direct_waiting_entry_organisation_id'), 'direct_waiting_entry', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_direct_waiting_entry_space_id'), 'direct_waiting_entry', ['space_id'], unique=False)
    op.create_table('freed_time',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('space_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('booking_id', sa.Uuid(), nullable=True),
    sa.Column('series_id', sa.Uuid(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_freed_time_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freed_time'))
    )
    op.create_index(op.f('ix_freed_time_organisation_id'), 'freed_time', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_freed_time_space_id'), 'freed_time', ['space_id'], unique=False)
    op.create_index(op.f('ix_freed_time_status'), 'freed_time', ['status'], unique=False)
    op.create_table('freed_slot',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('freed_id', sa.Uuid(), nullable=False),
    sa.Column('space_id', sa.Uuid(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['freed_id'], ['freed_time.id'], name=op.f('fk_freed_slot_freed_id_freed_time')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freed_slot'))
    )
    op.create_index(op.f('ix_freed_slot_freed_id'), 'freed_slot', ['freed_id'], unique=False)
    op.create_index(op.f('ix_freed_slot_space_id'), 'freed_slot', ['space_id'], unique=False)
    op.create_table('given_back_offer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('freed_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=True),
    sa.Column('round_entry_id', sa.Uuid(), nullable=True),
    sa.Column('direct_entry_id', sa.Uuid(), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('held_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booking_id', sa.Uuid(), nullable=True),
    sa.Column('series_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['direct_entry_id'], ['direct_waiting_entry.id'], name=op.f('fk_given_back_offer_direct_entry_id_direct_waiting_entry')),
    sa.ForeignKeyConstraint(['freed_id'], ['freed_time.id'], name=op.f('fk_given_back_offer_freed_id_freed_time')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_given_back_offer_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['round_entry_id'], ['waiting_entry.id'], name=op.f('fk_given_back_offer_round_entry_id_waiting_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['application_round.id'], name=op.f('fk_given_back_offer_round_id_application_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_given_back_offer'))
    )
    op.create_index(op.f('ix_given_back_offer_direct_entry_id'), 'given_back_offer', ['direct_entry_id'], unique=False)
    op.create_index(op.f('ix_given_back_offer_freed_id'), 'given_back_offer', ['freed_id'], unique=False)
    op.create_index(op.f('ix_given_back_offer_organisation_id'), 'given_back_offer', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_given_back_offer_status'), 'given_back_offer', ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('given_back_offer')
    op.drop_table('freed_slot')
    op.drop_table('freed_time')
    op.drop_table('direct_waiting_entry')
