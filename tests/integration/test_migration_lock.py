"""Migrations hold a PostgreSQL advisory lock: concurrent starts cannot both run Alembic."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import asyncpg
import pytest

from facilities.main import definition
from samspill.infra import plain_postgres_url
from samspill.migrations import MIGRATION_LOCK, upgrade
from tests.support import eventually

pytestmark = pytest.mark.slow


async def current_revision(url: str) -> str | None:
    conn = await asyncpg.connect(plain_postgres_url(url))
    try:
        exists = await conn.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
        return await conn.fetchval("SELECT version_num FROM alembic_version") if exists else None
    finally:
        await conn.close()


async def migrate_in_a_process(url: str) -> tuple[int, str]:
    """`python -m facilities migrate`, as a migration Job or a second replica would run it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "facilities",
        "migrate",
        env={**os.environ, "DATABASE_URL": url, "LOG_JSON": "true"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 90)
    return process.returncode or 0, output.decode(errors="replace")


async def test_two_concurrent_upgrades_both_succeed_one_after_the_other(database_factory) -> None:
    url = await database_factory("migrate_twice")
    outcomes = await asyncio.gather(migrate_in_a_process(url), migrate_in_a_process(url))
    for returncode, output in outcomes:
        assert returncode == 0, output
        records = [json.loads(line) for line in output.splitlines() if line.strip()]
        assert any(r.get("logger", "").startswith("alembic") for r in records), output
        assert {r["service"] for r in records} == {"facilities"}  # Alembic's lines too, as JSON
    head = await current_revision(url)
    assert head is not None
    await asyncio.to_thread(upgrade, definition.migrations_dir, url)  # at head: nothing to do
    assert await current_revision(url) == head


async def test_an_upgrade_waits_while_another_holds_the_lock(database_factory) -> None:
    url = await database_factory("migrate_locked")
    holder = await asyncpg.connect(plain_postgres_url(url))
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        migrating = asyncio.create_task(asyncio.to_thread(upgrade, definition.migrations_dir, url))

        async def waiting_for_the_lock() -> bool:
            count = await holder.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND objid = $1 AND database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())",
                MIGRATION_LOCK,
            )
            return bool(count)

        await eventually(waiting_for_the_lock, timeout=30)
        assert await current_revision(url) is None, "Alembic ran while the lock was held"
        assert not migrating.done()
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        await asyncio.wait_for(migrating, 60)
        assert await current_revision(url) is not None
    finally:
        await holder.close()
