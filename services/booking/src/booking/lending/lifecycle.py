"""Status changes of loans shared by the API, the stock handler and the scheduler.

Each function changes rows through the given session and records the loan event through an
`EventSink` (the unit of work, or the consumer's/scheduler's session outbox); none commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, Protocol

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.domain import LoanStatus, transition_loan
from booking.lending import repository
from booking.lending.models import Loan, LoanUnit
from booking.models import messaging
from samspill.events import booking as events
from samspill.events.base import EventData
from samspill.outbox import write_event

log = structlog.get_logger("booking.lending")

EVENT_SOURCE = "/samspill/booking"
CancelReason = Literal["by_resident", "by_staff", "stock"]


class EventSink(Protocol):
    async def publish(self, event: EventData, *, key: str, subject: str | None = None) -> None: ...


class SessionOutbox:
    """Records events in the outbox through a session the caller commits (consumer, scheduler)."""

    def __init__(self, session: AsyncSession, source: str = EVENT_SOURCE) -> None:
        self._session = session
        self._source = source

    async def publish(self, event: EventData, *, key: str, subject: str | None = None) -> None:
        await write_event(
            self._session, messaging, event, key=key, subject=subject, source=self._source
        )


class EventFactory(Protocol):
    def __call__(self, state: events.LoanState) -> EventData: ...


async def publish(sink: EventSink, session: AsyncSession, loan: Loan, make: EventFactory) -> None:
    """Flush, build the loan's full state and record the event made from it."""
    await session.flush()
    (details,) = await repository.load_details(session, [loan])
    await sink.publish(make(details.state()), key=str(loan.centre_id), subject=str(loan.loan_id))


def move(loan: Loan, target: LoanStatus, now: datetime) -> None:
    """Change the status (or raise TransitionNotAllowed) and bump the version."""
    loan.status = transition_loan(LoanStatus(loan.status), target).value
    touch(loan, now)


def touch(loan: Loan, now: datetime) -> None:
    loan.version += 1
    loan.updated_at = now


async def release_units(session: AsyncSession, loan_id: uuid.UUID) -> None:
    await session.execute(
        update(LoanUnit)
        .where(col(LoanUnit.loan_id) == loan_id)
        .values(active=False)
        .execution_options(synchronize_session="fetch")
    )


async def cancel(
    session: AsyncSession, sink: EventSink, loan: Loan, reason: CancelReason, now: datetime
) -> None:
    move(loan, LoanStatus.CANCELLED, now)
    loan.cancel_reason = reason
    await release_units(session, loan.loan_id)
    await publish(sink, session, loan, lambda s: events.LoanCancelled(loan=s, reason=reason))
    log.info("loan.cancelled", loan_id=str(loan.loan_id), reason=reason)


async def relocate_reserved_loans(
    session: AsyncSession,
    sink: EventSink,
    unit_id: uuid.UUID,
    now: datetime,
    *,
    cancel_when_none: bool = True,
) -> None:
    """A unit cannot be lent: move its reserved loans to another free unit of the same type,
    or (with `cancel_when_none`) cancel a loan with reason `stock` when none is free."""
    for loan, held in await repository.reserved_loans_holding(session, unit_id):
        period = repository.as_interval(held.period)
        free = await repository.lock_free_units(
            session, held.item_type_id, period, 1, skip_locked=False, exclude={unit_id}
        )
        if not free:
            if cancel_when_none:
                await cancel(session, sink, loan, "stock", now)
            continue
        held.unit_id = free[0]
        touch(loan, now)
        await publish(sink, session, loan, lambda s: events.LoanUnitsChanged(loan=s))
        log.info("loan.units_changed", loan_id=str(loan.loan_id), unit_id=str(free[0]))
