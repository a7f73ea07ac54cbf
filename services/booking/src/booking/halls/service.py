"""Use cases of single hall bookings: request, approve, reject, cancel, read and list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking import readmodel
from booking.config import BookingSettings
from booking.domain import (
    BookerKind,
    BookingStatus,
    CancellationReason,
    booking_interval,
    check_booking,
    check_hoarding,
    initial_status,
    transition,
)
from booking.halls.access import (
    Booker,
    booking_for,
    lock_limit,
    resolve_booker,
    visible_bookings,
)
from booking.halls.records import (
    Place,
    SlotTaken,
    booking_state,
    busy_in,
    cancel_booking,
    future_minutes,
    load_place,
    placed_event,
    raise_clash,
    release,
    store,
)
from booking.halls.schemas import BookingBase, BookingCreate, BookingPublic
from booking.models import Booking
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events import booking as be
from samspill.intervals import Interval
from samspill.pricing import BookerCategory, PriceRule, Quote, booker_quote, claimed_category


@dataclass(frozen=True)
class BookingFilters:
    space_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    status: BookingStatus | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 200


async def request_booking(
    uow: UnitOfWork,
    principal: Principal,
    body: BookingCreate,
    settings: BookingSettings,
    now: datetime,
) -> BookingPublic:
    session = uow.session
    place = await load_place(session, body.space_id)
    booker = await resolve_booker(session, principal, body.organisation_id)
    claim(booker, body.audience)
    interval = booking_interval(body.start, body.end)
    await check_request(session, place, interval, body.participants, booker, now)
    await check_limit(session, place, booker, [interval], settings, now)
    rules = await readmodel.price_rules(session)
    quoted = price(place, interval, body.audience, booker, rules)
    booking = new_booking(place, booker, body, interval, quoted)
    booking.status = initial_status(readmodel.space_view(place.space).rules).value
    booking.created_at = booking.updated_at = now
    try:
        await store(session, [(booking, place.space)])
    except SlotTaken:
        await raise_clash(session, place.space, [interval])
    state = await booking_state(session, booking, place)
    await uow.publish(placed_event(state), key=str(booking.space_id))
    await uow.commit()
    return public(booking, state)


async def check_request(
    session: AsyncSession,
    place: Place,
    interval: Interval,
    participants: int,
    booker: Booker,
    now: datetime,
    *,
    ignore_booking_id: uuid.UUID | None = None,
) -> None:
    """Every rule of the space: timing, length, grid, capacity, window, closures, clashes."""
    space = readmodel.space_view(place.space)
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    windows = await readmodel.windows_of(session, [place.space.space_id])
    closures = await readmodel.closures_of(session, [place.site.site_id], interval)
    busy = await busy_in(session, readmodel.conflict_ids(place.space), interval.padded(buffer))
    check_booking(
        space,
        interval,
        now,
        windows,
        closures,
        participants,
        busy,
        booker=booker.kind,
        ignore_booking_id=None if ignore_booking_id is None else str(ignore_booking_id),
    )


async def check_limit(
    session: AsyncSession,
    place: Place,
    booker: Booker,
    intervals: Sequence[Interval],
    settings: BookingSettings,
    now: datetime,
) -> None:
    """No organisation (or resident) may hold more future hours on a space than the limit."""
    await lock_limit(session, booker, place.space.space_id)
    held = await future_minutes(
        session,
        place.space.space_id,
        now,
        organisation_id=booker.organisation_id,
        booker_sub=booker.sub,
    )
    wanted = sum(int(i.duration / timedelta(minutes=1)) for i in intervals)
    check_hoarding(held, wanted, settings.booking_max_future_hours_per_space)


def claim(booker: Booker, audience: str) -> BookerCategory:
    """The price category claimed, if it follows from who books (else 403, nothing stored)."""
    return claimed_category(BookerCategory(audience), booker.organisation_category)


def price(
    place: Place,
    interval: Interval,
    audience: str,
    booker: Booker,
    rules: Sequence[PriceRule],
) -> Quote:
    """The price and its explanation from the price rules; under-20 activity is free."""
    return booker_quote(
        str(place.space.space_id),
        readmodel.space_kind(place.space.kind),
        interval,
        BookerCategory(audience),
        rules,
        booker.organisation_category,
    )


def new_booking(
    place: Place,
    booker: Booker,
    details: BookingBase,
    interval: Interval,
    quoted: Quote,
    *,
    series_id: uuid.UUID | None = None,
) -> Booking:
    return Booking(
        series_id=series_id,
        space_id=place.space.space_id,
        site_id=place.site.site_id,
        organisation_id=booker.organisation_id,
        booker_sub=booker.sub,
        activity=details.activity,
        audience=details.audience,
        participants=details.participants,
        start=interval.start,
        end=interval.end,
        status=BookingStatus.REQUESTED.value,
        price_ore=quoted.total_ore,
        price_explanation=quoted.explanation_nb,
        price_explanation_en=quoted.explanation_en,
        contact=None if details.contact is None else details.contact.model_dump(mode="json"),
    )


async def approve(
    uow: UnitOfWork, principal: Principal, booking_id: uuid.UUID, now: datetime
) -> BookingPublic:
    """A manager of the site confirms a requested booking, after checking it still fits."""
    session = uow.session
    booking = await booking_for(session, principal, booking_id, managing=True)
    target = transition(BookingStatus(booking.status), BookingStatus.CONFIRMED)
    place = await load_place(session, booking.space_id)
    kind = BookerKind.ORGANISATION if booking.organisation_id else BookerKind.RESIDENT
    booker = Booker(kind, None, booking.booker_sub)
    interval = Interval(booking.start, booking.end)
    await check_request(
        session, place, interval, booking.participants, booker, now, ignore_booking_id=booking.id
    )
    booking.status = target.value
    booking.version += 1
    booking.updated_at = now
    state = await booking_state(session, booking)
    await uow.publish(be.BookingConfirmed(booking=state), key=str(booking.space_id))
    await uow.commit()
    return public(booking, state)


async def reject(
    uow: UnitOfWork,
    principal: Principal,
    booking_id: uuid.UUID,
    reason: str | None,
    now: datetime,
) -> BookingPublic:
    session = uow.session
    booking = await booking_for(session, principal, booking_id, managing=True)
    target = transition(BookingStatus(booking.status), BookingStatus.REJECTED)
    await release(session, booking, target, now)
    state = await booking_state(session, booking)
    await uow.publish(be.BookingRejected(booking=state, reason=reason), key=str(booking.space_id))
    await uow.commit()
    return public(booking, state)


async def cancel(
    uow: UnitOfWork,
    principal: Principal,
    booking_id: uuid.UUID,
    detail: str | None,
    now: datetime,
) -> BookingPublic:
    """The organisation cancels before the deadline; the site's manager or an admin any time."""
    session = uow.session
    booking = await booking_for(session, principal, booking_id)
    await cancel_booking(
        session, uow, booking, cancel_reason(principal, booking), now, detail=detail
    )
    state = await booking_state(session, booking)
    await uow.commit()
    return public(booking, state)


def cancel_reason(principal: Principal, booking: Booking) -> CancellationReason:
    if principal.manages_site(booking.site_id):
        return CancellationReason.BY_MANAGER
    return CancellationReason.BY_ORGANISATION


async def get_booking(
    session: AsyncSession, principal: Principal, booking_id: uuid.UUID
) -> BookingPublic:
    booking = await booking_for(session, principal, booking_id)
    return public(booking, await booking_state(session, booking))


async def list_bookings(
    session: AsyncSession, principal: Principal, filters: BookingFilters
) -> list[BookingPublic]:
    """Bookings the caller may see (own organisations, managed sites, all for admins)."""
    query = select(Booking).where(visible_bookings(principal))
    equal_to = [
        (col(Booking.space_id), filters.space_id),
        (col(Booking.site_id), filters.site_id),
        (col(Booking.organisation_id), filters.organisation_id),
        (col(Booking.series_id), filters.series_id),
        (col(Booking.status), None if filters.status is None else filters.status.value),
    ]
    for column, value in equal_to:
        if value is not None:
            query = query.where(column == value)
    if filters.start is not None:
        query = query.where(col(Booking.end) > filters.start)
    if filters.end is not None:
        query = query.where(col(Booking.start) < filters.end)
    query = query.order_by(col(Booking.start)).limit(filters.limit)
    bookings = (await session.execute(query)).scalars().all()
    return [public(booking, await booking_state(session, booking)) for booking in bookings]


def public(booking: Booking, state: be.BookingState) -> BookingPublic:
    return BookingPublic(
        **state.model_dump(),
        price_explanation_en=booking.price_explanation_en,
        cancellation_reason=booking.cancellation_reason,
    )
