"""Reads of hall bookings: who may reach one, what is busy, clashes and the hours held.

Shared by the use cases of bookings and series, availability and the facilities-event
handler; nothing here writes or commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    ScalarSelect,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, Range
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.bookings.tables import Booking, BookingOccupancy
from booking.catalogue import queries as catalogue
from booking.catalogue.tables import SiteRecord, SpaceRecord
from booking.domain import (
    BookerKind,
    BookingStatus,
    BusyInterval,
    ClosureView,
    OrganisationCategory,
    WindowView,
    booked_space_name,
    space_booked,
)
from booking.giving_back import queries as giving_back
from booking.organisations.tables import Organisation
from booking.people import queries as people
from booking.rounds import queries as rounds
from samspill.auth import Principal, Role
from samspill.contacts import PrivateContact
from samspill.db import any_of
from samspill.errors import Conflict, Forbidden, NotFound
from samspill.events import facilities as fe
from samspill.ids import valid_uuids
from samspill.intervals import Interval
from samspill.pricing import PriceRule

ACTIVE_STATUSES = (BookingStatus.REQUESTED.value, BookingStatus.CONFIRMED.value)


@dataclass(frozen=True)
class BookingFilters:
    space_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    status: BookingStatus | None = None
    start: datetime | None = None
    end: datetime | None = None
    booker_sub: str | None = None
    limit: int = 200


# --- the place and the booker ---------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A space and its site, as the read model knows them."""

    space: fe.SpaceState
    site: fe.SiteState


async def load_place(session: AsyncSession, space_id: uuid.UUID) -> Place:
    space = await catalogue.get_space(session, space_id)
    site = None if space is None else await catalogue.get_site(session, space.site_id)
    return place_of(space_id, space, site)


def place_of(space_id: uuid.UUID, space: fe.SpaceState | None, site: fe.SiteState | None) -> Place:
    """The place, or 404 when the read model lacks the space or its site."""
    if space is None or site is None:
        raise NotFound(f"Unknown space {space_id}.", f"Ukjent lokale {space_id}.")
    return Place(space, site)


@dataclass(frozen=True)
class Booker:
    """Who a new booking is for: an organisation the caller books for, or the caller (with
    the contact a resident's messages go to)."""

    kind: BookerKind
    organisation: Organisation | None
    sub: str
    contact: dict[str, Any] | None = None

    @property
    def organisation_id(self) -> uuid.UUID | None:
        return None if self.organisation is None else self.organisation.id

    @property
    def organisation_category(self) -> OrganisationCategory | None:
        """The organisation's kind, or None for a resident booking in their own name."""
        return (
            None if self.organisation is None else OrganisationCategory(self.organisation.category)
        )


async def resolve_booker(
    session: AsyncSession,
    principal: Principal,
    organisation_id: uuid.UUID | None,
    contact: PrivateContact | None = None,
    *,
    sms_available: bool,
) -> Booker:
    """The organisation booking (the caller must book for it: an administrator or booker), or
    the resident with the contact given or else their profile's."""
    organisation = (
        None if organisation_id is None else await session.get(Organisation, organisation_id)
    )
    return await booker_of(
        session, principal, organisation_id, organisation, contact, sms_available=sms_available
    )


async def booker_of(
    session: AsyncSession,
    principal: Principal,
    organisation_id: uuid.UUID | None,
    organisation: Organisation | None,
    contact: PrivateContact | None = None,
    *,
    sms_available: bool,
) -> Booker:
    """`resolve_booker` with the organisation already read (None: unknown, or none asked)."""
    if organisation_id is None:
        resident_contact = await people.resident_contact(
            session, principal.person_id, contact, sms_available=sms_available
        )
        return Booker(BookerKind.RESIDENT, None, principal.person_id, resident_contact)
    if organisation is None or not principal.member_of(organisation.id):
        raise NotFound(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    if not principal.books_for(organisation.id):
        raise viewer_may_not_book(organisation)
    return Booker(BookerKind.ORGANISATION, organisation, principal.person_id)


def viewer_may_not_book(organisation: Organisation) -> Forbidden:
    return Forbidden(
        f"As a viewer of {organisation.name} you see its bookings but may not book or cancel "
        "in its name; an administrator can make you a booker.",
        f"Som leser i {organisation.name} ser du bookingene, men kan ikke booke eller avbestille "
        "i organisasjonens navn; en administrator kan gjøre deg til booker.",
    )


# --- who may see and act ------------------------------------------------------------------
# Organisation members reach their organisations' bookings, facility managers their sites',
# residents their own, admins everything. Anything else is answered as not found, so the id
# of another organisation's booking reveals nothing.


def may_see(
    principal: Principal, organisation_id: uuid.UUID | None, site_id: uuid.UUID, booker_sub: str
) -> bool:
    if principal.is_admin or principal.manages_site(site_id):
        return True
    if organisation_id is not None:
        return principal.member_of(organisation_id)
    return booker_sub == principal.person_id


def may_see_booking(principal: Principal, booking: Booking) -> bool:
    return may_see(principal, booking.organisation_id, booking.site_id, booking.booker_sub)


async def check_may_change(
    session: AsyncSession,
    principal: Principal,
    organisation_id: uuid.UUID | None,
    site_id: uuid.UUID,
) -> None:
    """A booking (or series) the caller sees may be cancelled by its site's manager, by the
    resident who made it, and in an organisation's name only by its administrators and
    bookers: a viewer is refused (403)."""
    if organisation_id is None or principal.manages_site(site_id):
        return
    if not principal.books_for(organisation_id):
        organisation = await session.get(Organisation, organisation_id)
        assert organisation is not None  # a foreign key
        raise viewer_may_not_book(organisation)


def visible_bookings(principal: Principal) -> ColumnElement[bool]:
    """The WHERE clause of the bookings a caller may list."""
    if principal.is_admin:
        return true()
    return or_(
        col(Booking.organisation_id).in_(valid_uuids(principal.organisation_ids)),
        col(Booking.site_id).in_(valid_uuids(principal.site_ids)),
        and_(
            col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == principal.person_id
        ),
    )


async def booking_for(
    session: AsyncSession, principal: Principal, booking_id: uuid.UUID, *, managing: bool = False
) -> Booking:
    """The booking, locked for change, if the caller may reach it.

    With `managing`, the caller must manage the booking's site: a facility manager of another
    site is told so (403), anyone else who cannot see the booking gets 404.
    """
    booking = await session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise _booking_not_found(booking_id)
    if managing and not principal.manages_site(booking.site_id):
        if principal.has_role(Role.FACILITY_MANAGER) or may_see_booking(principal, booking):
            raise Forbidden(
                "Only a manager of the booking's site may do this.",
                "Bare den som forvalter stedet kan gjøre dette.",
            )
        raise _booking_not_found(booking_id)
    if not may_see_booking(principal, booking):
        raise _booking_not_found(booking_id)
    return booking


def _booking_not_found(booking_id: uuid.UUID) -> NotFound:
    return NotFound(f"Unknown booking {booking_id}.", f"Ukjent booking {booking_id}.")


async def list_bookings(
    session: AsyncSession, principal: Principal, filters: BookingFilters
) -> Sequence[Booking]:
    """Bookings the caller may see (own organisations, managed sites, all for admins)."""
    query = select(Booking).where(visible_bookings(principal))
    equal_to = [
        (col(Booking.space_id), filters.space_id),
        (col(Booking.site_id), filters.site_id),
        (col(Booking.organisation_id), filters.organisation_id),
        (col(Booking.series_id), filters.series_id),
        (col(Booking.status), None if filters.status is None else filters.status.value),
        (col(Booking.booker_sub), filters.booker_sub),
    ]
    for column, value in equal_to:
        if value is not None:
            query = query.where(column == value)
    if filters.start is not None:
        query = query.where(col(Booking.end) > filters.start)
    if filters.end is not None:
        query = query.where(col(Booking.start) < filters.end)
    query = query.order_by(col(Booking.start)).limit(filters.limit)
    return (await session.execute(query)).scalars().all()


# --- busy time and clashes ----------------------------------------------------------------


async def find_clash(
    session: AsyncSession, space: fe.SpaceState, interval: Interval
) -> BusyInterval | None:
    """The earliest active booking the interval of the space clashes with, as the database
    constraint sees it (conflict set and buffer included), with the space it books."""
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    during = Range(interval.start, interval.end + buffer, bounds="[)")
    others = [other for other in catalogue.conflict_ids(space) if other != space.space_id]
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
    booked = space if space_id == space.space_id else await catalogue.get_space(session, space_id)
    name = booked.name if booked is not None else ""
    return BusyInterval(str(space_id), Interval(start, end), str(booking_id), name)


def clash_error(space: fe.SpaceState, clash: BusyInterval) -> Conflict:
    """The 409 naming the space that is booked (the requested one or one of its conflict set)
    and the interval the request clashes with."""
    view = catalogue.space_view(space)
    return space_booked(clash.space_id, booked_space_name(view, clash), clash.interval)


async def raise_clash(
    session: AsyncSession, space: fe.SpaceState, intervals: Sequence[Interval]
) -> None:
    """After the database refused a booking: raise the 409 for the first interval that
    clashes (read in a fresh transaction, once the refused one is rolled back)."""
    for interval in intervals:
        clash = await find_clash(session, space, interval)
        if clash is not None:
            raise clash_error(space, clash)
    # The clashing booking was released meanwhile; the client may simply retry.
    raise clash_error(space, BusyInterval(str(space.space_id), intervals[0], ""))


def _busy_columns() -> tuple[Any, ...]:
    space_name = col(SpaceRecord.state)["name"].astext
    return col(Booking.id), col(Booking.space_id), col(Booking.start), col(Booking.end), space_name


def _busy(
    space_ids: Iterable[uuid.UUID] | ColumnElement[Any],
    start: datetime | ColumnElement[datetime],
    end: datetime | ColumnElement[datetime],
) -> Select[Any]:
    """Active bookings of the given spaces overlapping `start`..`end`, with their space's
    name."""
    return (
        select(*_busy_columns())
        .outerjoin(SpaceRecord, col(SpaceRecord.space_id) == col(Booking.space_id))
        .where(
            any_of(col(Booking.space_id), space_ids),
            col(Booking.status).in_(ACTIVE_STATUSES),
            col(Booking.start) < end,
            col(Booking.end) > start,
        )
    )


async def busy_in(
    session: AsyncSession, space_ids: Iterable[uuid.UUID], within: Interval
) -> list[BusyInterval]:
    """Active bookings of the given spaces overlapping `within`."""
    query = _busy(space_ids, within.start, within.end)
    return [
        BusyInterval(str(space_id), Interval(start, end), str(booking_id), name or "")
        for booking_id, space_id, start, end, name in (await session.execute(query)).all()
    ]


def _busy_list(
    space_ids: ColumnElement[Any], start: ColumnElement[datetime], end: ColumnElement[datetime]
) -> ScalarSelect[Any]:
    """`busy_in` as one JSON array of [id, space id, start, end, name], for a statement that
    reads more besides (`_busy_from_list` reads it)."""
    row = func.jsonb_build_array(*_busy_columns())
    return (
        _busy(space_ids, start, end)
        .with_only_columns(
            func.coalesce(func.jsonb_agg(row), text("'[]'::jsonb"), type_=JSONB),
            maintain_column_froms=True,
        )
        .scalar_subquery()
    )


def _busy_from_list(items: Iterable[list[Any]]) -> list[BusyInterval]:
    return [
        BusyInterval(space_id, Interval(_instant(start), _instant(end)), booking_id, name or "")
        for booking_id, space_id, start, end, name in items
    ]


def _instant(text: str) -> datetime:
    """A timestamp as PostgreSQL writes it in JSON, in UTC like the driver's."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _held_seconds(
    space_id: uuid.UUID | ColumnElement[uuid.UUID],
    now: datetime | ColumnElement[datetime],
    *,
    organisation_id: uuid.UUID | ColumnElement[uuid.UUID] | None,
    booker_sub: str | ColumnElement[str],
) -> Select[Any]:
    """Seconds of active future bookings the organisation (None: the resident) holds here."""
    holder = (
        col(Booking.organisation_id) == organisation_id
        if organisation_id is not None
        else and_(col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == booker_sub)
    )
    seconds = func.coalesce(
        func.sum(func.extract("epoch", col(Booking.end) - col(Booking.start))), 0
    )
    return select(seconds).where(
        holder,
        col(Booking.space_id) == space_id,
        col(Booking.status).in_(ACTIVE_STATUSES),
        col(Booking.end) > now,
    )


async def future_minutes(
    session: AsyncSession,
    space_id: uuid.UUID,
    now: datetime,
    *,
    organisation_id: uuid.UUID | None,
    booker_sub: str,
) -> int:
    """Active future minutes the organisation (or, without one, the resident) holds here."""
    query = _held_seconds(space_id, now, organisation_id=organisation_id, booker_sub=booker_sub)
    return int((await session.execute(query)).scalar_one()) // 60


def hour_limit_lock(key: str | ColumnElement[str]) -> ColumnElement[Any]:
    """The transaction-scoped advisory lock on `key`, an expression to select."""
    return func.pg_advisory_xact_lock(func.hashtextextended(key, 0))


# --- what a new booking reads, in two statements ------------------------------------------
# Both are built once with bound parameters: a request only binds its values (no statement to
# build, no cache key to compute).

_UUIDS = ARRAY(Uuid())
_INSTANT = DateTime(timezone=True)


@dataclass(frozen=True)
class RequestReads:
    """What a booking request reads before it knows who books: the place, the organisation
    it names, the space's windows and the price rules."""

    space: fe.SpaceState | None
    site: fe.SiteState | None
    organisation: Organisation | None
    windows: list[WindowView]
    price_rules: list[PriceRule]


def _request_reads() -> Select[Any]:
    space_id = bindparam("space_id", type_=Uuid())
    return (
        select(
            col(SpaceRecord.state),
            col(SiteRecord.state),
            Organisation,
            catalogue.json_list(catalogue.window_states(bindparam("space_ids", type_=_UUIDS))),
            catalogue.json_list(catalogue.price_rule_states()),
            hour_limit_lock(bindparam("lock_key", type_=String())),
        )
        .select_from(SpaceRecord)
        .outerjoin(SiteRecord, col(SiteRecord.site_id) == col(SpaceRecord.site_id))
        .outerjoin(
            Organisation,
            col(Organisation.id) == bindparam("organisation_id", type_=Uuid()),
        )
        .where(col(SpaceRecord.space_id) == space_id)
    )


_REQUEST_READS = _request_reads()


async def read_request(
    session: AsyncSession,
    space_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    lock_key: str,
) -> RequestReads:
    """One statement, which also takes the advisory lock on `lock_key` when the space is
    known (the hour limit's: the next statement reads the hours held after it)."""
    values = {
        "space_id": space_id,
        "space_ids": [space_id],
        "organisation_id": organisation_id,
        "lock_key": lock_key,
    }
    row = (await session.execute(_REQUEST_READS, values)).first()
    if row is None:
        return RequestReads(None, None, None, [], [])
    space, site, organisation, windows, rules, _ = row
    return RequestReads(
        fe.SpaceState.model_validate(space),
        None if site is None else fe.SiteState.model_validate(site),
        organisation,
        catalogue.windows_from(windows),
        catalogue.price_rules_from(rules),
    )


@dataclass(frozen=True)
class RequestChecks:
    """What the rules of a booking request need once the booker and the interval are known."""

    reserving_round: bool  # a reserving round covers the space (`check_not_reserved` tells)
    held_for_another: bool  # given-back time offered to a waiting club overlaps
    closures: list[ClosureView]
    busy: list[BusyInterval]
    held_minutes: int  # active future minutes the booker holds on the space


def _request_checks(*, by_organisation: bool) -> Select[Any]:
    spaces = bindparam("space_ids", type_=_UUIDS)
    start, end = bindparam("start", type_=_INSTANT), bindparam("end", type_=_INSTANT)
    held = _held_seconds(
        bindparam("space_id", type_=Uuid()),
        bindparam("now", type_=_INSTANT),
        organisation_id=bindparam("organisation_id", type_=Uuid()) if by_organisation else None,
        booker_sub=bindparam("booker_sub", type_=String()),
    )
    closures = catalogue.closure_states(bindparam("site_ids", type_=_UUIDS), start, end)
    return select(
        rounds.any_reserving(spaces),
        giving_back.held(spaces, start, end),
        catalogue.json_list(closures),
        _busy_list(
            spaces, bindparam("busy_start", type_=_INSTANT), bindparam("busy_end", type_=_INSTANT)
        ),
        held.scalar_subquery(),
    )


_REQUEST_CHECKS = {
    by_organisation: _request_checks(by_organisation=by_organisation)
    for by_organisation in (True, False)
}


async def read_checks(
    session: AsyncSession,
    place: Place,
    interval: Interval,
    booker: Booker,
    now: datetime,
) -> RequestChecks:
    """One statement: the reads behind `check_not_reserved`, `check_not_held`, `check_request`
    and the hour limit, for one interval."""
    padded = interval.padded(timedelta(minutes=place.space.rules.buffer_minutes))
    values = {
        "space_ids": catalogue.conflict_ids(place.space),
        "site_ids": [place.site.site_id],
        "start": interval.start,
        "end": interval.end,
        "busy_start": padded.start,
        "busy_end": padded.end,
        "space_id": place.space.space_id,
        "now": now,
        "organisation_id": booker.organisation_id,
        "booker_sub": booker.sub,
    }
    query = _REQUEST_CHECKS[booker.organisation_id is not None]
    reserving, held_for_another, closures, busy, seconds = (
        await session.execute(query, values)
    ).one()
    return RequestChecks(
        bool(reserving),
        bool(held_for_another),
        catalogue.closures_from(closures),
        _busy_from_list(busy),
        int(seconds) // 60,
    )


async def active_bookings(
    session: AsyncSession, *conditions: ColumnElement[bool]
) -> Sequence[Booking]:
    """Active bookings matching the conditions, locked for change, earliest first."""
    query = (
        select(Booking)
        .where(col(Booking.status).in_(ACTIVE_STATUSES), *conditions)
        .order_by(col(Booking.start))
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()
