"""availability versions: a version per space and site, moved by triggers in the writing
transaction, that keys the cached days of free time

Revision ID: d8e2b4f6a1c3
Revises: c6ab433adfbc
Create Date: 2027-01-20 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd8e2b4f6a1c3'
down_revision: str | None = 'c6ab433adfbc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, trigger suffix, the columns naming the subject: the first that is not null)
ROW_TRIGGERS = (
    ('read_site', 'site', 'site_id'),
    ('read_space', 'space', 'space_id'),
    ('read_window', 'window', 'space_id'),
    ('read_closure', 'closure', 'space_id, site_id'),
    ('application_round_space', 'round_space', 'space_id'),
)


def upgrade() -> None:
    op.create_table(
        'availability_version',
        sa.Column('subject_id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('subject_id', name=op.f('pk_availability_version')),
    )
    # The version moves to the clock's microseconds, or one past the old version when the
    # clock is behind it: it only grows, and a database made anew does not repeat versions.
    op.execute(
        """
        CREATE FUNCTION availability_touch(subject uuid) RETURNS void
        LANGUAGE sql AS $$
            INSERT INTO availability_version AS v (subject_id, version)
            SELECT subject, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
            WHERE subject IS NOT NULL
            ON CONFLICT (subject_id)
            DO UPDATE SET version = greatest(v.version + 1, excluded.version)
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION availability_booking_touched() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                PERFORM availability_touch(OLD.space_id);
            END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.space_id <> OLD.space_id) THEN
                PERFORM availability_touch(NEW.space_id);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    # Deferred to the commit: a booking's transaction holds its space's version row only
    # while it commits, not from its insert on.
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER availability_booking_written
        AFTER INSERT OR DELETE ON booking
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        EXECUTE FUNCTION availability_booking_touched()
        """
    )
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER availability_booking_changed
        AFTER UPDATE OF status, start, "end", space_id ON booking
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (
            OLD.status IS DISTINCT FROM NEW.status
            OR OLD.start IS DISTINCT FROM NEW.start
            OR OLD."end" IS DISTINCT FROM NEW."end"
            OR OLD.space_id IS DISTINCT FROM NEW.space_id
        )
        EXECUTE FUNCTION availability_booking_touched()
        """
    )
    # The read model and the rounds change seldom: one function for them, told by the
    # trigger's arguments which columns name the subject.
    op.execute(
        """
        CREATE FUNCTION availability_row_touched() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            rows jsonb[] := ARRAY[]::jsonb[];
            item jsonb;
            subject text;
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                rows := rows || to_jsonb(OLD);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                rows := rows || to_jsonb(NEW);
            END IF;
            FOREACH item IN ARRAY rows LOOP
                subject := NULL;
                FOR i IN 0 .. TG_NARGS - 1 LOOP
                    subject := coalesce(subject, item ->> TG_ARGV[i]);
                END LOOP;
                PERFORM availability_touch(subject::uuid);
            END LOOP;
            RETURN NULL;
        END
        $$
        """
    )
    for table, suffix, columns in ROW_TRIGGERS:
        arguments = ', '.join(f"'{column.strip()}'" for column in columns.split(','))
        op.execute(
            f"""
            CREATE CONSTRAINT TRIGGER availability_{suffix}_written
            AFTER INSERT OR UPDATE OR DELETE ON {table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
            EXECUTE FUNCTION availability_row_touched({arguments})
            """
        )
    # A round's evenings, season or state: every space the round covers.
    op.execute(
        """
        CREATE FUNCTION availability_round_touched() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM availability_touch(space_id)
            FROM application_round_space
            WHERE round_id = OLD.id
            ORDER BY space_id;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER availability_round_written
        AFTER UPDATE OR DELETE ON application_round
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        EXECUTE FUNCTION availability_round_touched()
        """
    )


def downgrade() -> None:
    op.execute('DROP TRIGGER availability_round_written ON application_round')
    for table, suffix, _ in ROW_TRIGGERS:
        op.execute(f'DROP TRIGGER availability_{suffix}_written ON {table}')
    op.execute('DROP TRIGGER availability_booking_changed ON booking')
    op.execute('DROP TRIGGER availability_booking_written ON booking')
    op.execute('DROP FUNCTION availability_round_touched()')
    op.execute('DROP FUNCTION availability_row_touched()')
    op.execute('DROP FUNCTION availability_booking_touched()')
    op.execute('DROP FUNCTION availability_touch(uuid)')
    op.drop_table('availability_version')
