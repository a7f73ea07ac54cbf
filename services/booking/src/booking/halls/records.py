"""Storing hall bookings: rows, occupancy, clashes, cancellation and the published state.

Shared by the HTTP use cases (through the unit of work) and the facilities-event handler
(through the consumer's session); neither ever commits here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking import readmodel
from booking.domain import (
    BookingRules,
    BookingStatus,
    BusyInterval,
    CancellationReason,
    ConflictError,
    booked_space_name,
    cancel,
    space_booked,
)
from booking.domain.errors import NotFoundError
from booking.models import Booking, BookingOccupancy, Organisation, ReadSpace, messaging
from samspill.events import booking as be
from samspill.events import facilities as fe
from samspill.events.base import EventData
from samspill.intervals import Interval
from samspill.outbox import write_event
from samspill.recurrence import OSLO

EVENT_SOURCE = "/samspill/booking"
PRIVATE_BOOKER_NAME = "Privatperson"
# Residents book without an organisation; the public members of events name them by a stable
# id derived from their subject and a neutral display name. The subject itself and the contact
# travel only in the private `resident_id` and `contact` members, for their messages.
_RESIDENT_NAMESPACE = uuid.UUID("6f1d2c7e-5b0a-4f43-9a0e-2f1c8d6b7a11")
# exclusion_violation, deadlock_detected
_CLASH_STATES = frozenset({"23P01", "40P01"})
ACTIVE_STATUSES = (BookingStatus.REQUESTED.value, BookingStatus.CONFIRMED.value)


class EventSink(Protocol):
    """Where follow-up events go: the unit of work, or the consumer's session."""

    async def publish(self, event: EventData, *, key: str) -> None: ...


@dataclass(frozen=True)
class SessionSink:
    """Writes events to the outbox through a session the consumer runner commits."""

    session: AsyncSession

    async def publish(self, event: EventData, *, key: str) -> None:
        await write_event(self.session, messaging, event, key=key, source=EVENT_SOURCE)


@dataclass(frozen=True)
class Place:
    """A space and its site, as the read model knows them."""

    space: fe.SpaceState
    site: fe.SiteState


def resident_booker_id(sub: str) -> uuid.UUID:
    return uuid.uuid5(_RESIDENT_NAMESPACE, sub)


async def load_place(session: AsyncSession, space_id: uuid.UUID) -> Place:
    space = await readmodel.get_space(session, space_id)
    site = None if space is None else await readmodel.get_site(session, space.site_id)
    if space is None or site is None:
        raise NotFoundError(f"Unknown space {space_id}.", f"Ukjent lokale {space_id}.")
    return Place(space, site)


def occupancy_rows(booking: Booking, space: fe.SpaceState) -> list[BookingOccupancy]:
    """One row per space of the conflict set; the buffer is held after the booking."""
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    during = Range(booking.start, booking.end + buffer, bounds="[)")
    return [
        BookingOccupancy(
            booking_id=booking.id, space_id=space_id, own=space_id == space.space_id, during=during
        )
        for space_id in readmodel.conflict_ids(space)
    ]


def _occupancy_order(row: BookingOccupancy) -> str:
    return str(row.space_id)


def is_slot_clash(exc: DBAPIError) -> bool:
    """An exclusion violation, or the deadlock two clashing inserts can run into."""
    orig: Any = exc.orig
    codes = {getattr(orig, "sqlstate", None), getattr(orig, "pgcode", None)}
    codes.add(getattr(getattr(orig, "__cause__", None), "sqlstate", None))
    return bool(codes & _CLASH_STATES)


class SlotTaken(Exception):
    """The exclusion constraint refused a booking; the transaction is rolled back."""


async def store(session: AsyncSession, rows: Sequence[tuple[Booking, fe.SpaceState]]) -> None:
    """Insert bookings with their occupancy; SlotTaken when the database finds a clash.

    Occupancy rows go in space-id order, so two requests for a whole hall and its part wait
    for each other instead of deadlocking.
    """
    try:
        for booking, _ in rows:
            session.add(booking)
        await session.flush()
        occupancy: list[BookingOccupancy] = []
        for booking, space in rows:
            occupancy.extend(occupancy_rows(booking, space))
        occupancy.sort(key=_occupancy_order)
        session.add_all(occupancy)
        await session.flush()
    except DBAPIError as exc:
        if not is_slot_clash(exc):
            raise
        await session.rollback()
        raise SlotTaken from exc


async def find_clash(
    session: AsyncSession, space: fe.SpaceState, interval: Interval
) -> BusyInterval | None:
    """The earliest active booking the interval of the space clashes with, as the database
    constraint sees it (conflict set and buffer included), with the space it books."""
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    during = Range(interval.start, interval.end + buffer, bounds="[)")
    others = [other for other in readmodel.conflict_ids(space) if other != space.space_id]
    query = (
        select(col(Booking.id), col(Booking.space_id), col(Booking.start), col(Booking.end))
        .join(BookingOccupancy, col(BookingOccupancy.booking_id) == col(Booking.id))
        .where(
            col(BookingOccupancy.active),
            col(BookingOccupancy.during).op("&&")(during),
            or_(
                col(BookingOccupancy.space_id) == space.space_id,
                and_(col(BookingOccupancy.space_id).in_(others), col(BookingOccupancy.own)),
            ),
        )
        .order_by(col(Booking.start))
        .limit(1)
    )
    found = (await session.execute(query)).first()
    if found is None:
        return None
    booking_id, space_id, start, end = found
    booked = space if space_id == space.space_id else await readmodel.get_space(session, space_id)
    name = booked.name if booked is not None else ""
    return BusyInterval(str(space_id), Interval(start, end), str(booking_id), name)


def clash_error(space: fe.SpaceState, clash: BusyInterval) -> ConflictError:
    """The 409 naming the space that is booked (the requested one or one of its conflict set)
    and the interval the request clashes with."""
    view = readmodel.space_view(space)
    return space_booked(clash.space_id, booked_space_name(view, clash), clash.interval)


async def raise_clash(
    session: AsyncSession, space: fe.SpaceState, intervals: Sequence[Interval]
) -> None:
    """After SlotTaken: raise the 409 for the first interval that clashes."""
    for interval in intervals:
        clash = await find_clash(session, space, interval)
        if clash is not None:
            raise clash_error(space, clash)
    # The clashing booking was released meanwhile; the client may simply retry.
    raise clash_error(space, BusyInterval(str(space.space_id), intervals[0], ""))


async def busy_in(
    session: AsyncSession, space_ids: Iterable[uuid.UUID], within: Interval
) -> list[BusyInterval]:
    """Active bookings of the given spaces overlapping `within`."""
    space_name = col(ReadSpace.state)["name"].astext
    query = (
        select(
            col(Booking.id), col(Booking.space_id), col(Booking.start), col(Booking.end), space_name
        )
        .outerjoin(ReadSpace, col(ReadSpace.space_id) == col(Booking.space_id))
        .where(
            col(Booking.space_id).in_(list(space_ids)),
            col(Booking.status).in_(ACTIVE_STATUSES),
            col(Booking.start) < within.end,
            col(Booking.end) > within.start,
        )
    )
    return [
        BusyInterval(str(space_id), Interval(start, end), str(booking_id), name or "")
        for booking_id, space_id, start, end, name in (await session.execute(query)).all()
    ]


async def future_minutes(
    session: AsyncSession,
    space_id: uuid.UUID,
    now: datetime,
    *,
    organisation_id: uuid.UUID | None,
    booker_sub: str,
) -> int:
    """Active future minutes the organisation (or, without one, the resident) holds here."""
    holder = (
        col(Booking.organisation_id) == organisation_id
        if organisation_id is not None
        else and_(col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == booker_sub)
    )
    seconds = func.coalesce(
        func.sum(func.extract("epoch", col(Booking.end) - col(Booking.start))), 0
    )
    query = select(seconds).where(
        holder,
        col(Booking.space_id) == space_id,
        col(Booking.status).in_(ACTIVE_STATUSES),
        col(Booking.end) > now,
    )
    return int((await session.execute(query)).scalar_one()) // 60


async def cancel_booking(
    session: AsyncSession,
    sink: EventSink,
    booking: Booking,
    reason: CancellationReason,
    now: datetime,
    *,
    space: fe.SpaceState | None = None,
    detail: str | None = None,
    closure: fe.ClosureState | None = None,
) -> None:
    """Cancel if the state machine (and, for an organisation, the deadline) allows it."""
    space = space or await readmodel.get_space(session, booking.space_id)
    rules = readmodel.space_view(space).rules if space is not None else BookingRules()
    status = cancel(BookingStatus(booking.status), booking.start, now, rules, reason)
    await release(session, booking, status, now)
    booking.cancellation_reason = reason.value
    state = await booking_state(session, booking)
    cancelled = be.BookingCancelled(
        booking=state, reason=reason.value, detail=detail, closure=closure
    )
    await sink.publish(cancelled, key=str(booking.space_id))


async def release(
    session: AsyncSession, booking: Booking, status: BookingStatus, now: datetime
) -> None:
    """Move to a status that frees the slot (rejected, cancelled)."""
    booking.status = status.value
    booking.version += 1
    booking.updated_at = now
    await session.execute(
        update(BookingOccupancy)
        .where(col(BookingOccupancy.booking_id) == booking.id)
        .values(active=False)
    )


async def booking_state(
    session: AsyncSession, booking: Booking, place: Place | None = None
) -> be.BookingState:
    """The full published state of a booking, names taken from the read model (or from the
    `place` the caller already loaded for this booking, which saves two reads)."""
    if place is not None and place.space.space_id == booking.space_id:
        space: fe.SpaceState | None = place.space
        site: fe.SiteState | None = place.site
    else:
        space = await readmodel.get_space(session, booking.space_id)
        site = await readmodel.get_site(session, booking.site_id)
    organisation = (
        None
        if booking.organisation_id is None
        else await session.get(Organisation, booking.organisation_id)
    )
    return be.BookingState(
        booking_id=booking.id,
        series_id=booking.series_id,
        space_id=booking.space_id,
        space_name=space.name if space else "",
        site_id=booking.site_id,
        site_name=site.name if site else "",
        organisation_id=booking.organisation_id or resident_booker_id(booking.booker_sub),
        organisation_name=organisation.name if organisation else PRIVATE_BOOKER_NAME,
        activity=booking.activity,
        audience=booking.audience,
        participants=booking.participants,
        start=booking.start,
        end=booking.end,
        local_start=local_text(booking.start),
        local_end=local_text(booking.end),
        status=booking.status,
        price_ore=booking.price_ore,
        price_explanation=booking.price_explanation,
        version=booking.version,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        by_resident=booking.organisation_id is None,
        resident_id=None if booking.organisation_id else booking.booker_sub,
        contact=None if booking.contact is None else be.Contact.model_validate(booking.contact),
    )


def placed_event(state: be.BookingState) -> EventData:
    """The event announcing a new or approved booking in its current status."""
    if state.status == BookingStatus.REQUESTED.value:
        return be.BookingRequested(booking=state)
    return be.BookingConfirmed(booking=state)


def local_text(instant: datetime) -> str:
    """Wall-clock time in Oslo, ISO 8601 without offset."""
    return instant.astimezone(OSLO).replace(tzinfo=None).isoformat(timespec="minutes")


def utc_now() -> datetime:
    return datetime.now(UTC)
