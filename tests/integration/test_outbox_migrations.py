"""Each service has a migration that adds the outbox's dead-letter table, and one that adds the
inbox's state key digests, and takes them away again."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from samspill.db import create_engine
from samspill.migrations import alembic_config, upgrade

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["facilities", "booking", "notifications"])
async def test_the_dead_letter_table_comes_with_a_migration(name, database_factory) -> None:
    migrations: Path = importlib.import_module(f"{name}.main").definition.migrations_dir
    url = await database_factory(f"migrations_{name}")
    config = alembic_config(migrations, url)
    (adding,) = [
        revision
        for revision in ScriptDirectory.from_config(config).walk_revisions()
        if revision.path.endswith("_outbox_dead_letters.py")
    ]
    previous = adding.down_revision
    engine = create_engine(url, pool_size=1)
    try:
        await asyncio.to_thread(upgrade, migrations, url)
        assert "outbox_dead_letter" in await _tables(engine)
        await asyncio.to_thread(command.downgrade, config, str(previous))
        tables = await _tables(engine)
        assert "outbox_dead_letter" not in tables
        assert {"outbox", "inbox"} <= tables
        await asyncio.to_thread(upgrade, migrations, url)
        assert "outbox_dead_letter" in await _tables(engine)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("name", ["facilities", "booking", "notifications"])
async def test_the_inbox_state_key_digest_comes_with_a_migration(name, database_factory) -> None:
    migrations: Path = importlib.import_module(f"{name}.main").definition.migrations_dir
    url = await database_factory(f"migrations_digest_{name}")
    config = alembic_config(migrations, url)
    (adding,) = [
        revision
        for revision in ScriptDirectory.from_config(config).walk_revisions()
        if revision.path.endswith("_inbox_state_key_digest_state_events_.py")
    ]
    engine = create_engine(url, pool_size=1)
    try:
        await asyncio.to_thread(upgrade, migrations, url)
        assert "state_key_digest" in await _inbox_columns(engine)
        await asyncio.to_thread(command.downgrade, config, str(adding.down_revision))
        assert "state_key_digest" not in await _inbox_columns(engine)
        await asyncio.to_thread(upgrade, migrations, url)
        assert "state_key_digest" in await _inbox_columns(engine)
    finally:
        await engine.dispose()


async def _inbox_columns(engine) -> set[str]:
    async with engine.connect() as conn:
        columns = await conn.run_sync(lambda sync: inspect(sync).get_columns("inbox"))
    return {column["name"] for column in columns}


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(_table_names))


def _table_names(conn: Connection) -> list[str]:
    return inspect(conn).get_table_names()
