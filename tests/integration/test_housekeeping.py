"""The housekeeping jobs on a real PostgreSQL: only what is past retention goes, pending outbox
rows never do, a second run finds nothing, and every service's scheduler runs them."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from samspill.db import units_of_work
from samspill.housekeeping import Retention, housekeeping_jobs
from samspill.jobs import JobRunner
from samspill.kafka import KafkaConfig
from samspill.observability import Metrics
from samspill.service import Runtime
from tests.integration.kernel_support import prepared_database, tables
from tests.support import settings_for

pytestmark = pytest.mark.slow

# A fixed "now": the job is given this clock, so the test means the same on every day.
NOW = datetime(2031, 3, 12, 4, 0, tzinfo=UTC)
RETENTION = Retention(outbox_days=7, inbox_days=30, batch_size=2)


def outbox_row(
    event_id: str, created_days_ago: float, published_days_ago: float | None
) -> dict[str, Any]:
    published = None if published_days_ago is None else NOW - timedelta(days=published_days_ago)
    return {
        "event_id": event_id,
        "topic": "t",
        "key": "k",
        "bucket": 0,
        "event_type": "samspill.test.v1",
        "headers": [],
        "value": b"{}",
        "created_at": NOW - timedelta(days=created_days_ago),
        "published_at": published,
    }


def inbox_row(event_id: str, processed_days_ago: float) -> dict[str, Any]:
    return {
        "consumer": "c",
        "event_id": event_id,
        "event_type": "samspill.test.v1",
        "processed_at": NOW - timedelta(days=processed_days_ago),
    }


async def test_purge_removes_only_what_is_past_retention(database_factory) -> None:
    engine, sessions = await prepared_database(await database_factory("housekeeping"))
    async with sessions() as session, session.begin():
        await session.execute(
            insert(tables.outbox),
            [
                outbox_row("old-1", 40, 30),
                outbox_row("old-2", 20, 19),
                outbox_row("old-3", 9, 8),  # three past retention: two batches of two
                outbox_row("kept-published", 8, 6.9),
                outbox_row("kept-pending", 400, None),  # never published: never purged
            ],
        )
        await session.execute(
            insert(tables.inbox),
            [inbox_row("i-old", 31), inbox_row("i-kept", 29.9), inbox_row("i-new", 0)],
        )
    units = units_of_work(sessions, tables, source="/t")
    metrics = Metrics()
    outbox_job, inbox_job = housekeeping_jobs("t", tables, RETENTION, clock=lambda: NOW)

    assert await outbox_job.run_once(units) == 2  # a full batch: the runner goes again at once
    assert await outbox_job.run_once(units) == 1
    assert await JobRunner(outbox_job, units, metrics).run_once() == 0
    assert await JobRunner(inbox_job, units, metrics).run_once() == 1
    assert await JobRunner(inbox_job, units, metrics).run_once() == 0  # idempotent

    async with sessions() as session:
        outbox_left = set((await session.execute(select(tables.outbox.c.event_id))).scalars())
        inbox_left = set((await session.execute(select(tables.inbox.c.event_id))).scalars())
    assert outbox_left == {"kept-published", "kept-pending"}
    assert inbox_left == {"i-kept", "i-new"}
    sample = metrics.registry.get_sample_value
    assert sample("job_runs_total", {"job": "t.inbox_purge", "outcome": "ok"}) == 2
    await engine.dispose()


@pytest.mark.parametrize("service", ["facilities", "booking", "notifications"])
def test_every_service_scheduler_runs_the_purge_jobs(service: str) -> None:
    """The outbox is always purged; the inbox too unless its retention is emptied (45 days by
    default: rebuilds read state topics, which do not depend on the whole inbox)."""

    def job_names(**overrides: object) -> set[str]:
        settings = settings_for(
            service,
            database_url="postgresql://nobody@127.0.0.1:1/none",
            kafka=KafkaConfig("127.0.0.1:1"),
            redis_url="redis://127.0.0.1:1/0",
            **overrides,
        )
        runtime = Runtime.open(importlib.import_module(f"{service}.main").definition, settings)
        return {job.name for job in runtime.jobs()}

    assert f"{service}.outbox_purge" in job_names()
    assert f"{service}.inbox_purge" in job_names()
    assert f"{service}.inbox_purge" not in job_names(inbox_retention_days="")
    assert f"{service}.inbox_purge" in job_names(inbox_retention_days=30)
