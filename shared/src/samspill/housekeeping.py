"""Housekeeping: the kernel's own periodic jobs, run by every service's scheduler.

The outbox keeps a published row only as a record of what was sent, and the inbox keeps a row
per applied event so a redelivered one is skipped; neither is needed for ever. The jobs here
delete published outbox rows older than `OUTBOX_RETENTION_DAYS`, inbox rows older than
`INBOX_RETENTION_DAYS` (45 days by default; empty keeps them) and access-log rows
(`samspill.access_log`) older than `ACCESS_LOG_RETENTION_DAYS`, a bounded batch per transaction
(so no purge holds a long lock), again at once while a batch was full. A row still pending
(never published) is never touched, and the cutoff comes from the clock the job is given, so
running the job twice, or on two replicas at once, deletes nothing the first run would not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Table, delete, select, tuple_

from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.messaging import MessagingTables

PURGE_INTERVAL_S = 3600.0
PURGE_BATCH_SIZE = 1000
ACCESS_LOG_RETENTION_DAYS = 365


@dataclass(frozen=True)
class Retention:
    outbox_days: int
    inbox_days: int | None  # None: the inbox is kept
    batch_size: int = PURGE_BATCH_SIZE
    access_log_days: int = ACCESS_LOG_RETENTION_DAYS


async def purge_batch(
    units: UnitsOfWork, table: Table, stamp: Column[datetime], cutoff: datetime, batch: int
) -> int:
    """Delete up to `batch` rows of `table` whose `stamp` is before `cutoff`; one transaction."""
    key = tuple_(*table.primary_key.columns)
    oldest = select(*table.primary_key.columns).where(stamp < cutoff).order_by(stamp).limit(batch)
    async with units() as uow:
        result = await uow.session.execute(delete(table).where(key.in_(oldest)))
        await uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_published_outbox(
    units: UnitsOfWork, tables: MessagingTables, now: datetime, retention: Retention
) -> int:
    """Published outbox rows past retention; a pending row (published_at NULL) never matches."""
    cutoff = now - timedelta(days=retention.outbox_days)
    outbox = tables.outbox
    return await purge_batch(units, outbox, outbox.c.published_at, cutoff, retention.batch_size)


async def purge_inbox(
    units: UnitsOfWork, tables: MessagingTables, now: datetime, retention: Retention
) -> int:
    if retention.inbox_days is None:
        return 0
    cutoff = now - timedelta(days=retention.inbox_days)
    inbox = tables.inbox
    return await purge_batch(units, inbox, inbox.c.processed_at, cutoff, retention.batch_size)


async def purge_access_log(
    units: UnitsOfWork, access_log: Table, now: datetime, retention: Retention
) -> int:
    """Access-log rows recorded more than `access_log_days` before `now`."""
    cutoff = now - timedelta(days=retention.access_log_days)
    return await purge_batch(units, access_log, access_log.c.at, cutoff, retention.batch_size)


def housekeeping_jobs(
    service: str,
    tables: MessagingTables,
    retention: Retention,
    clock: Clock = utc_now,
    access_log: Table | None = None,
) -> list[PeriodicJob]:
    """The purge jobs of one service's outbox, inbox and (when it keeps one) access log."""

    async def outbox_run(units: UnitsOfWork) -> int:
        return await purge_published_outbox(units, tables, clock(), retention)

    async def inbox_run(units: UnitsOfWork) -> int:
        return await purge_inbox(units, tables, clock(), retention)

    jobs = [
        PeriodicJob(f"{service}.outbox_purge", outbox_run, PURGE_INTERVAL_S, again_when_busy=True)
    ]
    if retention.inbox_days is not None:
        jobs.append(
            PeriodicJob(f"{service}.inbox_purge", inbox_run, PURGE_INTERVAL_S, again_when_busy=True)
        )
    if access_log is not None:
        log_table = access_log

        async def access_log_run(units: UnitsOfWork) -> int:
            return await purge_access_log(units, log_table, clock(), retention)

        jobs.append(
            PeriodicJob(
                f"{service}.access_log_purge",
                access_log_run,
                PURGE_INTERVAL_S,
                again_when_busy=True,
            )
        )
    return jobs


__all__ = [
    "Retention",
    "housekeeping_jobs",
    "purge_access_log",
    "purge_inbox",
    "purge_published_outbox",
]
