"""What facilities changes do to hall bookings.

A scheduled closure cancels the bookings it overlaps, a withdrawn window (or date) the future
bookings that no longer lie in released time, a retired space its future bookings. Each
cancellation publishes `booking.cancelled` with the reason through the outbox, in the
consumer's transaction, so the club is told exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking import readmodel
from booking.domain import CancellationReason, is_in_window
from booking.halls.records import ACTIVE_STATUSES, SessionSink, cancel_booking
from booking.models import Booking
from samspill.events import facilities as fe
from samspill.events.base import EventData
from samspill.intervals import Interval


async def react(session: AsyncSession, data: EventData, now: datetime) -> None:
    """Cancel what the (already applied) facilities event takes away."""
    if isinstance(data, fe.ClosureScheduled):
        await _closure_scheduled(session, data.closure, now)
    elif isinstance(data, fe.WindowWithdrawn):
        await _window_withdrawn(session, data.window, now)
    elif isinstance(data, fe.SpaceRetired):
        await _space_retired(session, data.space, now)


async def _closure_scheduled(
    session: AsyncSession, closure: fe.ClosureState, now: datetime
) -> None:
    view = readmodel.closure_view(closure)
    bookings = await _active(
        session,
        col(Booking.site_id) == closure.site_id,
        col(Booking.start) < closure.end,
        col(Booking.end) > max(closure.start, now),
    )
    for booking in bookings:
        space = await readmodel.get_space(session, booking.space_id)
        if space is None or view.applies_to(readmodel.space_view(space)):
            await cancel_booking(
                session,
                SessionSink(session),
                booking,
                CancellationReason.CLOSURE,
                now,
                space=space,
                detail=closure.reason,
                closure=closure,
            )


async def _window_withdrawn(session: AsyncSession, window: fe.WindowState, now: datetime) -> None:
    space = await readmodel.get_space(session, window.space_id)
    if space is None:
        return
    view = readmodel.space_view(space)
    windows = await readmodel.windows_of(session, [space.space_id])
    bookings = await _active(
        session, col(Booking.space_id) == space.space_id, col(Booking.start) > now
    )
    for booking in bookings:
        if not is_in_window(view, Interval(booking.start, booking.end), windows):
            await cancel_booking(
                session,
                SessionSink(session),
                booking,
                CancellationReason.WINDOW_WITHDRAWN,
                now,
                space=space,
            )


async def _space_retired(session: AsyncSession, space: fe.SpaceState, now: datetime) -> None:
    bookings = await _active(
        session, col(Booking.space_id) == space.space_id, col(Booking.start) > now
    )
    for booking in bookings:
        await cancel_booking(
            session,
            SessionSink(session),
            booking,
            CancellationReason.SPACE_RETIRED,
            now,
            space=space,
        )


async def _active(session: AsyncSession, *conditions: ColumnElement[bool]) -> Sequence[Booking]:
    query = (
        select(Booking)
        .where(col(Booking.status).in_(ACTIVE_STATUSES), *conditions)
        .order_by(col(Booking.start))
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()
