"""emergency staff: a staff grant of kind `emergency` with no site (the whole municipality)

Revision ID: a7e51c3d9b20
Revises: 60bfbca10686
Create Date: 2026-12-20 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a7e51c3d9b20'
down_revision: str | None = '60bfbca10686'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column('staff_grant', 'object_id', existing_type=sa.Uuid(), nullable=True)
    op.drop_constraint(op.f('ck_staff_grant_known_kind'), 'staff_grant', type_='check')
    op.create_check_constraint(
        op.f('ck_staff_grant_known_kind'),
        'staff_grant',
        "kind IN ('site', 'centre', 'emergency')",
    )
    op.create_check_constraint(
        op.f('ck_staff_grant_object_of_kind'),
        'staff_grant',
        "(kind = 'emergency') = (object_id IS NULL)",
    )
    op.create_index(
        'uq_staff_grant_emergency_person',
        'staff_grant',
        ['person_id'],
        unique=True,
        postgresql_where=sa.text("kind = 'emergency'"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM staff_grant WHERE kind = 'emergency'")
    op.drop_index('uq_staff_grant_emergency_person', table_name='staff_grant')
    op.drop_constraint(op.f('ck_staff_grant_object_of_kind'), 'staff_grant', type_='check')
    op.drop_constraint(op.f('ck_staff_grant_known_kind'), 'staff_grant', type_='check')
    op.create_check_constraint(
        op.f('ck_staff_grant_known_kind'), 'staff_grant', "kind IN ('site', 'centre')"
    )
    op.alter_column('staff_grant', 'object_id', existing_type=sa.Uuid(), nullable=False)
