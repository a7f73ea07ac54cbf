"""What facilities changes do to hall bookings.

A scheduled closure cancels the bookings it overlaps, a withdrawn window (or date) the future
bookings that no longer lie in released time, a retired space its future bookings. Each
cancellation publishes `booking.cancelled` with the reason through the consumer's unit of
work (after the catalogue applied the event), so the club is told exactly
once. Never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col

from booking.bookings.queries import active_bookings
from booking.bookings.tables import Booking
from booking.bookings.use_cases import cancel_booking
from booking.catalogue import queries as catalogue
from booking.domain import CancellationReason, is_in_window
from samspill.clock import utc_now
from samspill.db import UnitOfWork
from samspill.events import facilities as fe
from samspill.events.base import Envelope, EventData
from samspill.intervals import Interval


async def handle(uow: UnitOfWork, envelope: Envelope) -> None:
    await react(uow, envelope.data, utc_now())


async def react(uow: UnitOfWork, data: EventData, now: datetime) -> None:
    """Cancel what the (already applied) facilities event takes away."""
    if isinstance(data, fe.ClosureScheduled):
        await _closure_scheduled(uow, data.closure, now)
    elif isinstance(data, fe.WindowWithdrawn):
        await _window_withdrawn(uow, data.window, now)
    elif isinstance(data, fe.SpaceRetired):
        await _space_retired(uow, data.space, now)


async def _closure_scheduled(uow: UnitOfWork, closure: fe.ClosureState, now: datetime) -> None:
    session = uow.session
    view = catalogue.closure_view(closure)
    bookings = await active_bookings(
        session,
        col(Booking.site_id) == closure.site_id,
        col(Booking.start) < closure.end,
        col(Booking.end) > max(closure.start, now),
    )
    for booking in bookings:
        space = await catalogue.get_space(session, booking.space_id)
        if space is None or view.applies_to(catalogue.space_view(space)):
            await cancel_booking(
                uow,
                booking,
                CancellationReason.CLOSURE,
                now,
                space=space,
                detail=closure.reason,
                closure=closure,
            )


async def _window_withdrawn(uow: UnitOfWork, window: fe.WindowState, now: datetime) -> None:
    session = uow.session
    space = await catalogue.get_space(session, window.space_id)
    if space is None:
        return
    view = catalogue.space_view(space)
    windows = await catalogue.windows_of(session, [space.space_id])
    bookings = await active_bookings(
        session, col(Booking.space_id) == space.space_id, col(Booking.start) > now
    )
    for booking in bookings:
        if not is_in_window(view, Interval(booking.start, booking.end), windows):
            await cancel_booking(
                uow,
                booking,
                CancellationReason.WINDOW_WITHDRAWN,
                now,
                space=space,
            )


async def _space_retired(uow: UnitOfWork, space: fe.SpaceState, now: datetime) -> None:
    bookings = await active_bookings(
        uow.session, col(Booking.space_id) == space.space_id, col(Booking.start) > now
    )
    for booking in bookings:
        await cancel_booking(
            uow,
            booking,
            CancellationReason.SPACE_RETIRED,
            now,
            space=space,
        )
