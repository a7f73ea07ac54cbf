"""Use cases of single hall bookings: request, approve, reject and cancel.

The steps they share with series and with the facilities-event handler (storing, releasing,
cancelling) change rows and record events but never commit: only the use cases commit, once,
through the unit of work; the handler's changes commit with the consumer's inbox row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Boolean, Insert, Table, Uuid, bindparam, func, insert, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY, TSTZRANGE, Range
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.bookings.queries import (
    Booker,
    Place,
    booker_of,
    booking_for,
    busy_in,
    check_may_change,
    future_minutes,
    hour_limit_lock,
    load_place,
    place_of,
    raise_clash,
    read_checks,
    read_request,
)
from booking.bookings.schemas import BookingBase, BookingCreate, BookingPublic, booking_public
from booking.bookings.states import booking_state, placed_event
from booking.bookings.tables import Booking, BookingOccupancy
from booking.catalogue import queries as catalogue
from booking.config import BookingSettings
from booking.domain import (
    BookerKind,
    BookingRules,
    BookingStatus,
    CancellationReason,
    booking_interval,
    check_booking,
    check_hoarding,
    initial_status,
    transition,
)
from booking.domain import cancel as cancelled_status
from booking.giving_back import queries as giving_back
from booking.rounds import queries as rounds
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events import booking as be
from samspill.events import facilities as fe
from samspill.intervals import Interval
from samspill.pricing import BookerCategory, PriceRule, Quote, booker_quote, claimed_category

# Advisory-lock namespace of the hour limit (an arbitrary constant, stable across releases).
_LIMIT_LOCK_NAMESPACE = "samspill.booking.limit"
# exclusion_violation, deadlock_detected
_CLASH_STATES = frozenset({"23P01", "40P01"})


# --- requesting ------------------------------------------------------------------------------


async def request_booking(
    uow: UnitOfWork,
    principal: Principal,
    body: BookingCreate,
    settings: BookingSettings,
    now: datetime,
) -> BookingPublic:
    """The checks of `check_request`, `check_limit`, the rounds and given-back time, in the
    same order, over two reads: one with the hour limit's lock, one after it."""
    session = uow.session
    owner = body.organisation_id or f"resident:{principal.person_id}"
    reads = await read_request(
        session, body.space_id, body.organisation_id, limit_lock_key(owner, body.space_id)
    )
    place = place_of(body.space_id, reads.space, reads.site)
    booker = await booker_of(
        session,
        principal,
        body.organisation_id,
        reads.organisation,
        body.contact,
        sms_available=settings.sms_available,
    )
    claim(booker, body.audience)
    interval = booking_interval(body.start, body.end)
    checks = await read_checks(session, place, interval, booker, now)
    if checks.reserving_round:
        await rounds.check_not_reserved(session, place.space, [interval])
    if checks.held_for_another:
        raise giving_back.held_for_another()
    check_booking(
        catalogue.space_view(place.space),
        interval,
        now,
        reads.windows,
        checks.closures,
        body.participants,
        checks.busy,
        booker=booker.kind,
    )
    check_hoarding(
        checks.held_minutes, wanted_minutes([interval]), settings.booking_max_future_hours_per_space
    )
    quoted = price(place, interval, body.audience, booker, reads.price_rules)
    booking = new_booking(place, booker, body, interval, quoted)
    booking.status = initial_status(catalogue.space_view(place.space).rules).value
    booking.created_at = booking.updated_at = now
    try:
        await store_new(session, booking, place.space)
    except SlotTaken:
        await uow.rollback()
        await raise_clash(session, place.space, [interval])
    state = await booking_state(session, booking, place)
    await uow.publish(placed_event(state), key=str(booking.space_id))
    await uow.commit()
    return booking_public(booking, state)


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
    space = catalogue.space_view(place.space)
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    windows = await catalogue.windows_of(session, [place.space.space_id])
    closures = await catalogue.closures_of(session, [place.site.site_id], interval)
    busy = await busy_in(session, catalogue.conflict_ids(place.space), interval.padded(buffer))
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
    check_hoarding(held, wanted_minutes(intervals), settings.booking_max_future_hours_per_space)


def wanted_minutes(intervals: Sequence[Interval]) -> int:
    return sum(int(i.duration / timedelta(minutes=1)) for i in intervals)


async def lock_limit(session: AsyncSession, booker: Booker, space_id: uuid.UUID) -> None:
    """Serialise one booker's requests on one space until the transaction ends, so the hour
    limit (per booker and space) holds under concurrency while other clubs and other spaces
    proceed in parallel."""
    owner = booker.organisation_id or f"resident:{booker.sub}"
    await session.execute(select(hour_limit_lock(limit_lock_key(owner, space_id))))


def limit_lock_key(owner: uuid.UUID | str, space_id: uuid.UUID) -> str:
    """The key of `lock_limit`'s lock; taken within another statement, the hours held must be
    read by a later one, whose snapshot follows the lock."""
    return f"{_LIMIT_LOCK_NAMESPACE}:{owner}:{space_id}"


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
        catalogue.space_kind(place.space.kind),
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
        contact=booker.contact,
    )


# --- storing ---------------------------------------------------------------------------------


class SlotTaken(Exception):
    """The exclusion constraint refused a booking: the caller rolls the transaction back."""


def occupancy_rows(booking: Booking, space: fe.SpaceState) -> list[BookingOccupancy]:
    """One row per space of the conflict set; the buffer is held after the booking."""
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    during = Range(booking.start, booking.end + buffer, bounds="[)")
    return [
        BookingOccupancy(
            booking_id=booking.id, space_id=space_id, own=space_id == space.space_id, during=during
        )
        for space_id in catalogue.conflict_ids(space)
    ]


def _occupancy_order(row: BookingOccupancy) -> str:
    return str(row.space_id)


def is_slot_clash(exc: DBAPIError) -> bool:
    """An exclusion violation, or the deadlock two clashing inserts can run into."""
    orig: Any = exc.orig
    codes = {getattr(orig, "sqlstate", None), getattr(orig, "pgcode", None)}
    codes.add(getattr(getattr(orig, "__cause__", None), "sqlstate", None))
    return bool(codes & _CLASH_STATES)


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
        raise SlotTaken from exc


async def store_new(session: AsyncSession, booking: Booking, space: fe.SpaceState) -> None:
    """`store` for one new booking, in one statement of plain inserts (the booking is not
    added to the session); SlotTaken when the database finds a clash."""
    occupancy = sorted(occupancy_rows(booking, space), key=_occupancy_order)
    values = {f"b_{column.key}": getattr(booking, column.key) for column in _BOOKING.columns}
    values |= {
        "o_booking_id": booking.id,
        "o_space_ids": [row.space_id for row in occupancy],
        "o_own": [row.own for row in occupancy],
        "o_during": occupancy[0].during,  # the same on every space of the conflict set
    }
    try:
        await session.execute(_INSERT_NEW, values)
    except DBAPIError as exc:
        if not is_slot_clash(exc):
            raise
        raise SlotTaken from exc


_BOOKING = cast(Table, Booking.__table__)  # type: ignore[attr-defined]
_OCCUPANCY = cast(Table, BookingOccupancy.__table__)  # type: ignore[attr-defined]


def _insert_new() -> Insert:
    """The booking and its occupancy rows, these in the order given (space-id order, so two
    requests for a whole hall and its part wait for each other instead of deadlocking); built
    once with bound parameters."""
    booking_row = {
        column.key: bindparam(f"b_{column.key}", type_=column.type) for column in _BOOKING.columns
    }
    spaces = (
        func.unnest(
            bindparam("o_space_ids", type_=ARRAY(Uuid())),
            bindparam("o_own", type_=ARRAY(Boolean())),
        )
        .table_valued("space_id", "own", with_ordinality="n")
        .render_derived(name="occupied")
    )
    rows = select(
        bindparam("o_booking_id", type_=Uuid()),
        spaces.c.space_id,
        spaces.c.own,
        bindparam("o_during", type_=TSTZRANGE()),
        true(),
    ).order_by(spaces.c.n)
    columns = ["booking_id", "space_id", "own", "during", "active"]
    inserted = insert(_BOOKING).values(booking_row).cte("new_booking")
    return insert(_OCCUPANCY).from_select(columns, rows).add_cte(inserted)


_INSERT_NEW = _insert_new()


# --- approving, rejecting, cancelling ----------------------------------------------------------


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
    return booking_public(booking, state)


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
    booking.rejection_reason = reason
    state = await booking_state(session, booking)
    await uow.publish(be.BookingRejected(booking=state, reason=reason), key=str(booking.space_id))
    await uow.commit()
    return booking_public(booking, state)


async def cancel(
    uow: UnitOfWork,
    principal: Principal,
    booking_id: uuid.UUID,
    detail: str | None,
    now: datetime,
) -> BookingPublic:
    """The organisation (its administrators and bookers) or the resident cancels before the
    deadline; the site's manager or an admin any time."""
    session = uow.session
    booking = await booking_for(session, principal, booking_id)
    await check_may_change(session, principal, booking.organisation_id, booking.site_id)
    await cancel_booking(uow, booking, cancel_reason(principal, booking), now, detail=detail)
    state = await booking_state(session, booking)
    await uow.commit()
    return booking_public(booking, state)


def cancel_reason(principal: Principal, booking: Booking) -> CancellationReason:
    if principal.manages_site(booking.site_id):
        return CancellationReason.BY_MANAGER
    return CancellationReason.BY_ORGANISATION


async def cancel_booking(
    uow: UnitOfWork,
    booking: Booking,
    reason: CancellationReason,
    now: datetime,
    *,
    space: fe.SpaceState | None = None,
    detail: str | None = None,
    closure: fe.ClosureState | None = None,
    requisition: fe.RequisitionState | None = None,
) -> None:
    """Cancel if the state machine (and, for an organisation, the deadline) allows it."""
    session = uow.session
    space = space or await catalogue.get_space(session, booking.space_id)
    rules = catalogue.space_view(space).rules if space is not None else BookingRules()
    status = cancelled_status(BookingStatus(booking.status), booking.start, now, rules, reason)
    await release(session, booking, status, now)
    booking.cancellation_reason = reason.value
    state = await booking_state(session, booking)
    cancelled = be.BookingCancelled(
        booking=state, reason=reason.value, detail=detail, closure=closure, requisition=requisition
    )
    await uow.publish(cancelled, key=str(booking.space_id))


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
