"""No-shows and overdue loans, found and moved on by a periodic job.

Restart-safe and idempotent: the state lives in the loan rows only. Each run moves due loans
a batch per unit of work (`use_cases.move_due_loans`), recording the events in the outbox in the
same transaction, so a second run, a restarted job or another replica finds nothing left to do.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from booking.config import BookingSettings
from booking.lending.use_cases import DueLoans, move_due_loans
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.service import Runtime

log = structlog.get_logger("booking.lending.jobs")


async def move_loans_due(units: UnitsOfWork, now: datetime, batch_size: int) -> DueLoans:
    """Marks reserved loans not collected by the end of the pickup day `no_show` and picked-up
    loans not back by the end of the return day `overdue`; a batch per transaction."""
    found = DueLoans()
    while True:
        async with units() as uow:
            batch = await move_due_loans(uow, now, batch_size)
        found.no_shows.extend(batch.no_shows)
        found.overdues.extend(batch.overdues)
        if len(batch.no_shows) + len(batch.overdues) < batch_size:
            break
    if found.no_shows or found.overdues:
        log.info("lending.due_loans", no_shows=len(found.no_shows), overdue=len(found.overdues))
    return found


def due_loans_job(settings: BookingSettings, clock: Clock = utc_now) -> PeriodicJob:
    async def run_once(units: UnitsOfWork) -> int:
        found = await move_loans_due(units, clock(), settings.lending_scheduler_batch_size)
        return len(found.no_shows) + len(found.overdues)

    return PeriodicJob("lending.due_loans", run_once, settings.lending_scheduler_interval_s)


def lending_jobs(runtime: Runtime) -> list[PeriodicJob]:
    """For `ServiceDefinition.jobs`."""
    settings = runtime.settings
    assert isinstance(settings, BookingSettings)
    return [due_loans_job(settings)]
