"""No-shows and overdue loans, found and moved on by a periodic job.

Restart-safe and idempotent: the state lives in the loan rows only. Each run moves due loans
a batch per transaction (`use_cases.move_due_loans`), recording the events in the outbox in the
same transaction, so a second run, a restarted job or another replica finds nothing left to do.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.config import BookingSettings
from booking.lending.use_cases import EVENT_SOURCE, DueLoans, move_due_loans
from booking.tables import messaging
from samspill.clock import Clock, utc_now
from samspill.db import UnitOfWork
from samspill.service import Runtime

log = structlog.get_logger("booking.lending.scheduler")


class LoanScheduler:
    """Marks reserved loans not collected by the end of the pickup day `no_show` and picked-up
    loans not back by the end of the return day `overdue`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: BookingSettings,
        source: str = EVENT_SOURCE,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._interval_s = settings.lending_scheduler_interval_s
        self._batch_size = settings.lending_scheduler_batch_size
        self._source = source

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once(self._clock())
            except Exception as exc:
                log.warning("lending.scheduler_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)

    async def run_once(self, now: datetime) -> DueLoans:
        """Move every loan that is due at `now`; a batch per transaction."""
        found = DueLoans()
        while True:
            async with UnitOfWork(self._sessions, messaging, source=self._source) as uow:
                batch = await move_due_loans(uow, now, self._batch_size)
            found.no_shows.extend(batch.no_shows)
            found.overdues.extend(batch.overdues)
            if len(batch.no_shows) + len(batch.overdues) < self._batch_size:
                break
        if found.no_shows or found.overdues:
            log.info("lending.due_loans", no_shows=len(found.no_shows), overdue=len(found.overdues))
        return found


def lending_jobs(runtime: Runtime) -> list[LoanScheduler]:
    """For `ServiceDefinition.schedulers`: the lending job on the runtime's database."""
    settings = runtime.settings
    assert isinstance(settings, BookingSettings)
    return [LoanScheduler(runtime.sessions, settings, runtime.definition.event_source)]
