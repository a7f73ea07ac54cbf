"""No-shows and overdue loans, found and moved on by a periodic job.

Restart-safe and idempotent: the state lives in the loan rows only. Each run claims due loans
with `FOR UPDATE SKIP LOCKED` (several replicas never take the same loan), changes their
status and records the event in the outbox in the same transaction, so a second run, a
restarted scheduler or another replica finds nothing left to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from booking.config import BookingSettings
from booking.domain import LoanStatus, LoanView, detect_due
from booking.lending import repository
from booking.lending.config import LendingSettings
from booking.lending.lifecycle import (
    EVENT_SOURCE,
    SessionOutbox,
    move,
    publish,
    release_units,
    relocate_reserved_loans,
)
from booking.lending.models import Loan
from samspill.events import booking as events
from samspill.recurrence import local_date
from samspill.service import Runtime

log = structlog.get_logger("booking.lending.scheduler")


@dataclass
class DueLoans:
    no_shows: list[uuid.UUID] = field(default_factory=list)
    overdues: list[uuid.UUID] = field(default_factory=list)


class LoanScheduler:
    """Marks reserved loans not collected by the end of the pickup day `no_show` and picked-up
    loans not back by the end of the return day `overdue`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: LendingSettings,
        source: str = EVENT_SOURCE,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._source = source

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once(datetime.now(UTC))
            except Exception as exc:
                log.warning("lending.scheduler_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._settings.scheduler_interval_s)

    async def run_once(self, now: datetime) -> DueLoans:
        """Move every loan that is due at `now`; a batch per transaction."""
        found = DueLoans()
        while True:
            batch = await self._run_batch(now)
            found.no_shows.extend(batch.no_shows)
            found.overdues.extend(batch.overdues)
            if len(batch.no_shows) + len(batch.overdues) < self._settings.scheduler_batch_size:
                break
        if found.no_shows or found.overdues:
            log.info("lending.due_loans", no_shows=len(found.no_shows), overdue=len(found.overdues))
        return found

    async def _run_batch(self, now: datetime) -> DueLoans:
        async with self._sessions() as session, session.begin():
            loans = await self._claim(session, now)
            views = [_view(loan) for loan in loans]
            no_shows, overdues = detect_due(views, now)
            by_id = {loan.loan_id: loan for loan in loans}
            outbox = SessionOutbox(session, self._source)
            for view in no_shows:
                await _no_show(session, outbox, by_id[uuid.UUID(view.loan_id)], now)
            for view in overdues:
                await _overdue(session, outbox, by_id[uuid.UUID(view.loan_id)], now)
        return DueLoans(
            no_shows=[uuid.UUID(v.loan_id) for v in no_shows],
            overdues=[uuid.UUID(v.loan_id) for v in overdues],
        )

    async def _claim(self, session: AsyncSession, now: datetime) -> list[Loan]:
        query = (
            select(Loan)
            .where(repository.due_filter(local_date(now)))
            .order_by(col(Loan.loan_id))
            .limit(self._settings.scheduler_batch_size)
            .with_for_update(skip_locked=True)
        )
        return list((await session.execute(query)).scalars().all())


def _view(loan: Loan) -> LoanView:
    return LoanView(
        loan_id=str(loan.loan_id),
        status=LoanStatus(loan.status),
        pickup=loan.pickup_date,
        return_date=loan.return_date,
    )


async def _no_show(session: AsyncSession, outbox: SessionOutbox, loan: Loan, now: datetime) -> None:
    move(loan, LoanStatus.NO_SHOW, now)
    await release_units(session, loan.loan_id)
    await publish(outbox, session, loan, lambda s: events.LoanNoShow(loan=s))


async def _overdue(session: AsyncSession, outbox: SessionOutbox, loan: Loan, now: datetime) -> None:
    """The units stay out past the period: reservations waiting for them move to another unit
    where one is free (and are kept otherwise, as the units may still come back in time)."""
    move(loan, LoanStatus.OVERDUE, now)
    await publish(outbox, session, loan, lambda s: events.LoanOverdue(loan=s))
    for row in await repository.loan_units(session, loan.loan_id):
        await relocate_reserved_loans(session, outbox, row.unit_id, now, cancel_when_none=False)


def lending_schedulers(runtime: Runtime) -> list[LoanScheduler]:
    """For `ServiceDefinition.schedulers`: the lending job on the runtime's database."""
    settings = runtime.settings
    assert isinstance(settings, BookingSettings)
    return [LoanScheduler(runtime.sessions, settings.lending, runtime.definition.event_source)]
