"""Requisitions from facilities, after the catalogue applied them (the requisition then blocks
new bookings as an emergency closure does).

`requisition.started` cancels, in the consumer's unit of work, every active booking that
overlaps it at the site (or its spaces) and every reserved loan at the site when it is an
equipment centre, each with reason `requisition`, and then publishes `requisition.applied`
with all of them, so notifications tells each affected person once.

`requisition.lifted` offers the cancelled times back: the bookings it cancelled whose times are
still ahead and free are published in `requisition.released`, and the clubs are told to book
them again. They are not re-booked for the clubs: a club that made other plans during the
emergency would hold time it no longer wants, and the time is theirs to take first anyway
(nobody can have booked it while it was requisitioned). Never commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from booking.bookings.queries import active_bookings
from booking.bookings.states import booking_state
from booking.bookings.tables import Booking, BookingOccupancy
from booking.bookings.use_cases import cancel_booking
from booking.catalogue import queries as catalogue
from booking.catalogue.use_cases import requisition_closures
from booking.domain import BookingStatus, CancellationReason
from booking.lending import queries as lending
from booking.lending.tables import Loan
from booking.lending.use_cases import cancel as cancel_loan
from samspill.clock import utc_now
from samspill.db import UnitOfWork
from samspill.events import booking as be
from samspill.events import facilities as fe
from samspill.events.base import Envelope, EventData
from samspill.recurrence import local_date


async def handle(uow: UnitOfWork, envelope: Envelope) -> None:
    await react(uow, envelope.data, utc_now())


async def react(uow: UnitOfWork, data: EventData, now: datetime) -> None:
    if isinstance(data, fe.RequisitionStarted):
        await _started(uow, data.requisition, now)
    elif isinstance(data, fe.RequisitionLifted):
        await _lifted(uow, data.requisition, now)


async def _started(uow: UnitOfWork, requisition: fe.RequisitionState, now: datetime) -> None:
    session = uow.session
    views = [catalogue.closure_view(c) for c in requisition_closures(requisition)]
    bookings = await active_bookings(
        session,
        col(Booking.site_id) == requisition.site_id,
        col(Booking.start) < requisition.end,
        col(Booking.end) > max(requisition.start, now),
    )
    cancelled: list[be.BookingState] = []
    for booking in bookings:
        space = await catalogue.get_space(session, booking.space_id)
        if space is not None and not any(v.applies_to(catalogue.space_view(space)) for v in views):
            continue
        await cancel_booking(
            uow,
            booking,
            CancellationReason.REQUISITION,
            now,
            space=space,
            detail=requisition.reason,
            requisition=requisition,
        )
        cancelled.append(await booking_state(session, booking))
    loans = await _cancel_loans(uow, requisition, now)
    applied = be.RequisitionApplied(requisition=requisition, bookings=cancelled, loans=loans)
    await uow.publish(applied, key=str(requisition.site_id))


async def _cancel_loans(
    uow: UnitOfWork, requisition: fe.RequisitionState, now: datetime
) -> list[be.LoanState]:
    """Reserved loans at the site (an equipment centre) whose days overlap the requisition."""
    first, last = (
        local_date(requisition.start),
        local_date(requisition.end - timedelta(microseconds=1)),
    )
    query = (
        select(Loan)
        .where(
            col(Loan.centre_id) == requisition.site_id,
            col(Loan.status) == "reserved",
            col(Loan.pickup_date) <= last,
            col(Loan.return_date) >= first,
        )
        .order_by(col(Loan.pickup_date), col(Loan.loan_id))
        .with_for_update()
    )
    loans = list((await uow.session.execute(query)).scalars())
    for loan in loans:
        await cancel_loan(uow, loan, "requisition", now, requisition=requisition)
    return [details.state() for details in await lending.load_details(uow.session, loans)]


async def _lifted(uow: UnitOfWork, requisition: fe.RequisitionState, now: datetime) -> None:
    session = uow.session
    query = (
        select(Booking)
        .where(
            col(Booking.site_id) == requisition.site_id,
            col(Booking.status) == BookingStatus.CANCELLED.value,
            col(Booking.cancellation_reason) == CancellationReason.REQUISITION.value,
            col(Booking.start) < requisition.end,
            col(Booking.end) > requisition.start,
            col(Booking.start) > now,
        )
        .order_by(col(Booking.start))
    )
    offered = [
        await booking_state(session, booking)
        for booking in (await session.execute(query)).scalars()
        if await _still_free(uow, booking)
    ]
    released = be.RequisitionReleased(requisition=requisition, offered=offered)
    await uow.publish(released, key=str(requisition.site_id))


async def _still_free(uow: UnitOfWork, booking: Booking) -> bool:
    """Nothing active holds the booked space over the booking's time any more."""
    during = func.tstzrange(booking.start, booking.end)
    taken = await uow.session.execute(
        select(col(BookingOccupancy.booking_id))
        .where(
            col(BookingOccupancy.space_id) == booking.space_id,
            col(BookingOccupancy.active).is_(True),
            col(BookingOccupancy.during).op("&&")(during),
        )
        .limit(1)
    )
    return taken.first() is None
