"""The access log on a real PostgreSQL through a service's app: a recorded view is listed for
the admin (newest first, by person and period, a page at a time), nobody else may list it, bad
filters are refused as problems, the purge with a moved clock removes exactly what is past
retention, and every service has the table from its migrations and the purge in its scheduler."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

from samspill.access_log import access_log_of, record_access
from samspill.auth import Grants, Principal
from samspill.db import create_engine
from samspill.housekeeping import Retention, housekeeping_jobs
from samspill.kafka import KafkaConfig
from samspill.migrations import alembic_config, upgrade
from samspill.service import Runtime
from samspill.tokens import Identity
from tests.support import RunningService, running_service, settings_for

pytestmark = pytest.mark.slow

# A fixed "now" for the purge: the job is given this clock, so the test means the same any day.
NOW = datetime(2031, 3, 12, 4, 0, tzinfo=UTC)
SERVICES = ["facilities", "booking", "notifications"]


@pytest.fixture
async def facilities(
    infra, kafka_config: KafkaConfig, database_factory
) -> AsyncIterator[RunningService]:
    settings = settings_for(
        "facilities",
        database_url=await database_factory(f"access_log_{uuid.uuid4().hex[:8]}"),
        kafka=kafka_config,
        redis_url=infra.redis.url,
        run_workers_in_api=False,  # no scheduler of its own purging while the test looks
    )
    async with running_service("facilities", settings) as service:
        yield service


def staff(service: RunningService, sub: str) -> Principal:
    identity = Identity(
        issuer=service.settings.jwt_issuer,
        subject=sub,
        client_id=None,
        scopes=frozenset(),
        is_admin=False,
    )
    return Principal(identity, Grants(centre_ids=frozenset({"centre-1"})))


async def record(
    service: RunningService, viewer: Principal, subject: str, at: datetime, **changes: str
) -> None:
    """As a use case does: in a unit of work, committed once."""
    async with service.app.state.runtime.units_of_work()() as uow:
        await record_access(
            uow.session,
            viewer,
            subject_person_id=subject,
            subject_kind=changes.get("kind", "loan"),
            subject_id=changes.get("subject_id", "loan-1"),
            what=changes.get("what", "the loan's borrower"),
            why=changes.get("why", "equipment desk"),
            at=at,
        )
        await uow.commit()


async def test_a_recorded_view_is_listed_for_the_admin_newest_first(
    facilities: RunningService,
) -> None:
    desk = staff(facilities, "desk-worker")
    kari, ola = facilities.person_id("kari"), facilities.person_id("ola")
    await record(facilities, desk, kari, NOW - timedelta(days=2), subject_id="loan-old")
    await record(facilities, desk, kari, NOW - timedelta(hours=1), why="written request 12/31")
    await record(facilities, desk, ola, NOW - timedelta(days=1), kind="members")
    admin = facilities.token("municipal-admin", admin=True)

    listed = await facilities.client.get("/access-log", headers=admin)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 3
    assert [row["at"] for row in page["items"]] == sorted(
        (row["at"] for row in page["items"]), reverse=True
    )
    newest = page["items"][0]
    assert newest["subject_person_id"] == kari
    assert newest["viewer_person_id"] == desk.person_id
    assert newest["viewer_roles"] == ["centre_staff", "resident"]
    assert newest["service"] == "facilities"
    assert newest["why"] == "written request 12/31"

    of_kari = (await facilities.client.get(f"/access-log?person_id={kari}", headers=admin)).json()
    assert [row["subject_id"] for row in of_kari["items"]] == ["loan-1", "loan-old"]

    since = (NOW - timedelta(days=1, hours=1)).isoformat()
    recent = await facilities.client.get(
        "/access-log", params={"from": since, "to": NOW.isoformat()}, headers=admin
    )
    assert [row["subject_kind"] for row in recent.json()["items"]] == ["loan", "members"]

    day = (NOW - timedelta(days=2)).date().isoformat()
    that_day = await facilities.client.get(
        "/access-log", params={"from": day, "to": day}, headers=admin
    )
    assert [row["subject_id"] for row in that_day.json()["items"]] == ["loan-old"]

    second = await facilities.client.get("/access-log?limit=2&offset=2", headers=admin)
    assert second.json()["total"] == 3
    assert [row["subject_id"] for row in second.json()["items"]] == ["loan-old"]


async def test_only_the_admin_lists_the_log(facilities: RunningService) -> None:
    assert (await facilities.client.get("/access-log")).status_code == 401
    resident = facilities.token("kari")
    refused = await facilities.client.get("/access-log", headers=resident)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "from=2031-03-12T04:00:00",  # no offset
        "to=1066-10-14",
        "from=2031-03-12&to=2031-03-11",
        "limit=0",
        "limit=100000",
        "offset=-1",
        "person_id=",
        "person_id=" + "x" * 201,
    ],
)
async def test_bad_filters_are_refused_as_problems(facilities: RunningService, query: str) -> None:
    admin = facilities.token("municipal-admin", admin=True)
    refused = await facilities.client.get(f"/access-log?{query}", headers=admin)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail_nb"]


async def test_the_purge_removes_exactly_what_is_past_retention(
    facilities: RunningService,
) -> None:
    desk = staff(facilities, "desk-worker")
    kari = facilities.person_id("kari")
    ages = {"gone-1": 400, "gone-2": 365.01, "kept-1": 364.99, "kept-2": 1}
    for subject_id, days in ages.items():
        await record(facilities, desk, kari, NOW - timedelta(days=days), subject_id=subject_id)
    runtime: Runtime = facilities.app.state.runtime
    table = access_log_of(runtime.definition.metadata)
    assert table is not None
    retention = Retention(outbox_days=7, inbox_days=None, batch_size=1, access_log_days=365)
    jobs = housekeeping_jobs(
        "facilities", runtime.definition.messaging, retention, lambda: NOW, table
    )
    (purge,) = [job for job in jobs if job.name == "facilities.access_log_purge"]
    units = runtime.units_of_work()

    assert await purge.run_once(units) == 1  # a full batch: the runner goes again at once
    assert await purge.run_once(units) == 1
    assert await purge.run_once(units) == 0
    async with runtime.sessions() as session:
        left = set((await session.execute(select(table.c.subject_id))).scalars())
    assert left == {"kept-1", "kept-2"}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_scheduler_purges_the_access_log(service: str) -> None:
    settings = settings_for(
        service,
        database_url="postgresql://nobody@127.0.0.1:1/none",
        kafka=KafkaConfig("127.0.0.1:1"),
        redis_url="redis://127.0.0.1:1/0",
        access_log_retention_days=30,
    )
    runtime = Runtime.open(importlib.import_module(f"{service}.main").definition, settings)
    assert f"{service}.access_log_purge" in {job.name for job in runtime.jobs()}
    assert settings.access_log_retention_days == 30


@pytest.mark.parametrize("service", SERVICES)
async def test_the_access_log_comes_with_a_migration(service: str, database_factory) -> None:
    migrations = importlib.import_module(f"{service}.main").definition.migrations_dir
    url = await database_factory(f"access_log_migration_{service}")
    config = alembic_config(migrations, url)
    (adding,) = [
        revision
        for revision in ScriptDirectory.from_config(config).walk_revisions()
        if revision.path.endswith("_access_log.py")
    ]
    engine = create_engine(url, pool_size=1)
    try:
        await asyncio.to_thread(upgrade, migrations, url)
        async with engine.connect() as conn:
            indexes = await conn.run_sync(_access_log_indexes)
        assert indexes == {
            "ix_access_log_at": ["at"],
            "ix_access_log_subject_person_id_at": ["subject_person_id", "at"],
        }
        await asyncio.to_thread(command.downgrade, config, str(adding.down_revision))
        async with engine.connect() as conn:
            assert "access_log" not in await conn.run_sync(_table_names)
    finally:
        await engine.dispose()


def _access_log_indexes(conn: Connection) -> dict[str, list[str]]:
    found = inspect(conn).get_indexes("access_log")
    return {str(index["name"]): [str(c) for c in index["column_names"]] for index in found}


def _table_names(conn: Connection) -> list[str]:
    return inspect(conn).get_table_names()
