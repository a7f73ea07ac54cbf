"""The periodic roll-forward of public-holiday closures."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from facilities.closures.use_cases import sync_site_holidays
from facilities.sites.queries import sites_closed_on_holidays
from samspill.clock import Clock
from samspill.db import UnitOfWork
from samspill.messaging import MessagingTables

log = structlog.get_logger("facilities.closures")


class HolidayClosureScheduler:
    """Keeps every flagged site's holiday closures two years ahead; safe to run anywhere.

    Each site is synced in its own unit of work (see `sync_site_holidays`), so restarts and
    parallel replicas do no harm.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        messaging: MessagingTables,
        *,
        source: str,
        clock: Clock,
        interval_s: float = 6 * 3600,
    ) -> None:
        self._sessions = sessions
        self._messaging = messaging
        self._source = source
        self._clock = clock
        self._interval_s = interval_s

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once(self._clock())
            except Exception as exc:
                log.warning("facilities.holiday_sync_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)

    async def run_once(self, now: datetime) -> int:
        async with self._sessions() as session:
            ids = await sites_closed_on_holidays(session)
        changed = 0
        for site_id in ids:
            async with self._unit_of_work() as uow:
                changed += await sync_site_holidays(uow, site_id, now)
        return changed

    def _unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self._messaging, source=self._source)
