"""Alembic for every service: one env.py body and a programmatic upgrade.

Each service keeps its revisions in `services/<name>/src/<name>/migrations/`; its `env.py`
calls `run_env(target_metadata)`. The database URL comes from the Alembic config
(`sqlalchemy.url`, set by `upgrade`) or else from `DATABASE_URL`.

Every online run first takes a PostgreSQL advisory lock (`MIGRATION_LOCK`) inside the migration
transaction, before Alembic reads the current revision: two processes that start at once (a
migration Job and an API, two API replicas) run Alembic one after the other, and the second
finds the database at head and does nothing. The lock ends with the transaction.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import structlog
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from samspill.access_log import access_log_table
from samspill.db import NAMING_CONVENTION, async_database_url
from samspill.messaging import MessagingTables, messaging_tables

log = structlog.get_logger("samspill.migrations")

# The advisory-lock key every service's migrations take (advisory locks are per database).
MIGRATION_LOCK = 7_331_001


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    """Run the migrations (blocking; call through `asyncio.to_thread` from async code)."""
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def _kernel_tables() -> MessagingTables:
    return messaging_tables(MetaData(naming_convention=NAMING_CONVENTION))


def create_messaging_tables() -> None:
    """For a service's initial migration: the outbox and inbox every service keeps."""
    tables = _kernel_tables()
    bind = op.get_bind()
    tables.inbox.create(bind)
    tables.outbox.create(bind)


def drop_messaging_tables() -> None:
    tables = _kernel_tables()
    bind = op.get_bind()
    tables.outbox.drop(bind)
    tables.inbox.drop(bind)


def create_outbox_dead_letter_table() -> None:
    """For the migration that adds the outbox's dead letters to a service's database."""
    _kernel_tables().dead_letters.create(op.get_bind())


def drop_outbox_dead_letter_table() -> None:
    _kernel_tables().dead_letters.drop(op.get_bind())


def add_inbox_state_key_digest() -> None:
    """For the migration that lets the inbox record state events' keys (state topics).

    A database created since has it already: the initial migration creates the inbox as the
    kernel defines it now."""
    op.execute("ALTER TABLE inbox ADD COLUMN IF NOT EXISTS state_key_digest VARCHAR(32)")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_inbox_state_key_digest ON inbox "
        "(consumer, state_key_digest) WHERE state_key_digest IS NOT NULL"
    )


def drop_inbox_state_key_digest() -> None:
    op.execute("DROP INDEX IF EXISTS ix_inbox_state_key_digest")
    op.execute("ALTER TABLE inbox DROP COLUMN IF EXISTS state_key_digest")


def create_access_log_table() -> None:
    """For the migration that adds the access log (`samspill.access_log`) to a service."""
    access_log_table(MetaData(naming_convention=NAMING_CONVENTION)).create(op.get_bind())


def drop_access_log_table() -> None:
    access_log_table(MetaData(naming_convention=NAMING_CONVENTION)).drop(op.get_bind())


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's `migrations/env.py`."""
    url = context.config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"]
    if context.is_offline_mode():
        context.configure(
            url=async_database_url(url),
            target_metadata=target_metadata,
            literal_binds=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(async_database_url(url), target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate, target_metadata)
    finally:
        await engine.dispose()


def _migrate(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        hold_migration_lock(connection)
        context.run_migrations()


def hold_migration_lock(connection: Connection) -> None:
    """Wait for the migration lock; it is held until the transaction ends."""
    lock = {"key": MIGRATION_LOCK}
    if connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), lock).scalar():
        return
    log.info("migrations.waiting_for_lock", lock=MIGRATION_LOCK)
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), lock)
    log.info("migrations.lock_taken", lock=MIGRATION_LOCK)
