"""Use cases of giving time back: a club gives back one date or the rest of a series, the
freed time is offered to one waiting club at a time (the round's waiting entries first, by
position, then clubs on the direct list, first joined first), each offer held in Redis for a
short while; the holder accepts it, or when the hold lapses the next club gets it, and when
no one is left the time is released to everyone.

The hold is a Redis key per freed time (`SET key offer_id NX PX hold`): at most one offer
holds it. Accepting and passing on both lock the freed time's row first and read the key
while they hold the lock, so an accept racing the lapse either books (and the time is taken)
or finds the hold gone (409) — never both."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.allocation.use_cases import audience_for, wall
from booking.applications.tables import ApplicationSection
from booking.bookings.queries import ACTIVE_STATUSES, Booker, Place, booking_for, load_place
from booking.bookings.schemas import BookingBase
from booking.bookings.states import booking_state, placed_event
from booking.bookings.tables import Booking
from booking.bookings.use_cases import SlotTaken, cancel_booking, new_booking, price, store
from booking.catalogue import queries as catalogue
from booking.config import BookingSettings
from booking.domain import BookerKind, BookingStatus, CancellationReason
from booking.domain.allocation import WeeklyTime
from booking.domain.giving_back import (
    DirectWish,
    check_give_back_date,
    check_give_back_from,
    direct_fit,
    hold_key,
)
from booking.domain.weekly_time import fitting_time, weekly_text
from booking.giving_back import queries
from booking.giving_back.schemas import (
    GivenBackOfferPublic,
    GivenBackPublic,
    given_back_public,
    offer_public,
)
from booking.giving_back.states import offer_state
from booking.giving_back.tables import FreedSlot, FreedTime, GivenBackOffer
from booking.organisations.tables import Organisation
from booking.series import use_cases as series_use_cases
from booking.series.queries import series_for
from booking.series.schemas import SeriesCreate
from booking.series.tables import BookingSeries
from booking.waiting_list import queries as waiting_queries
from booking.waiting_list.tables import DirectWaitingEntry, WaitingEntry
from booking.waiting_list.use_cases import in_evenings, section_of, series_time
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, Forbidden, NotFound, ServiceUnavailable
from samspill.events import booking as be
from samspill.intervals import Interval
from samspill.recurrence import OSLO, resolve_local

HOLD_NAMESPACE = "booking:give_back"
_MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Holds:
    """The holds on freed time: one Redis key per freed time, its value the holding offer."""

    redis: Redis
    hold_s: float
    namespace: str = HOLD_NAMESPACE

    def key(self, freed_id: uuid.UUID) -> str:
        return hold_key(self.namespace, str(freed_id))

    async def take(self, freed_id: uuid.UUID, offer_id: uuid.UUID) -> bool:
        """Hold the time for the offer unless another offer holds it (SET NX PX)."""
        with _reachable():
            held = await self.redis.set(
                self.key(freed_id), str(offer_id), nx=True, px=max(int(self.hold_s * 1000), 1)
            )
        return bool(held)

    async def holder(self, freed_id: uuid.UUID) -> str | None:
        with _reachable():
            value = await self.redis.get(self.key(freed_id))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def drop(self, freed_id: uuid.UUID) -> None:
        with _reachable():
            await self.redis.delete(self.key(freed_id))


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """Redis down: 503 with nothing changed (the use case's transaction is rolled back), never
    a 500; the job tries again on its next round."""
    try:
        yield
    except (RedisError, OSError) as exc:
        raise ServiceUnavailable(
            "The hold on freed time cannot be checked just now; try again shortly.",
            "Holdet på ledig tid kan ikke sjekkes akkurat nå; prøv igjen om litt.",
        ) from exc


def holds_of(redis: Redis, settings: BookingSettings) -> Holds:
    return Holds(redis, settings.give_back_hold_s)


def _today(now: datetime) -> date:
    return now.astimezone(OSLO).date()


def _local_minutes(instant: datetime) -> int:
    local = instant.astimezone(OSLO)
    return local.hour * 60 + local.minute


def _check_club(principal: Principal, organisation_id: uuid.UUID | None) -> uuid.UUID:
    if organisation_id is None:
        raise Conflict(
            "Only a club's booking can be given back; cancel your own booking instead.",
            "Bare en klubbs booking kan gis tilbake; avbestill din egen booking i stedet.",
        )
    if not principal.books_for(organisation_id):
        raise Forbidden(
            "Only an administrator or booker of the club may give its time back.",
            "Bare en administrator eller booker i klubben kan gi tilbake tiden.",
        )
    return organisation_id


# --- giving back -------------------------------------------------------------------------


async def give_back_date(
    uow: UnitOfWork, holds: Holds, principal: Principal, booking_id: uuid.UUID, now: datetime
) -> GivenBackPublic:
    """Give back one booked date: cancel it (reason `given_back`) and offer it on."""
    session = uow.session
    booking = await booking_for(session, principal, booking_id)
    organisation_id = _check_club(principal, booking.organisation_id)
    check_give_back_date(booking.start, now)
    await cancel_booking(uow, booking, CancellationReason.GIVEN_BACK, now)
    start, end = _local_minutes(booking.start), _local_minutes(booking.end)
    day = booking.start.astimezone(OSLO).date()
    freed = FreedTime(
        organisation_id=organisation_id,
        space_id=booking.space_id,
        site_id=booking.site_id,
        kind="date",
        weekday=day.weekday(),
        start_minute=start,
        end_minute=end if end > start else 24 * 60,
        first_date=day,
        last_date=day,
        booking_id=booking.id,
        status="offered",
        created_at=now,
        updated_at=now,
    )
    await _free(uow, holds, freed, [booking], now)
    await uow.commit()
    return given_back_public(freed, [booking.id])


async def give_back_rest(
    uow: UnitOfWork,
    holds: Holds,
    principal: Principal,
    series_id: uuid.UUID,
    from_date: date,
    now: datetime,
) -> GivenBackPublic:
    """Give back a series' occurrences from a date on: cancel them and offer them on weekly."""
    session = uow.session
    series = await series_for(session, principal, series_id)
    organisation_id = _check_club(principal, series.organisation_id)
    check_give_back_from(from_date, _today(now))
    bookings = await _rest_of(session, series, max(now, resolve_local(from_date, _MIDNIGHT)))
    if not bookings:
        raise Conflict(
            f"Nothing of the series is left to give back from {from_date.isoformat()}.",
            f"Ingenting av serien er igjen å gi tilbake fra {from_date.isoformat()}.",
        )
    space = await catalogue.get_space(session, series.space_id)
    for booking in bookings:
        await cancel_booking(uow, booking, CancellationReason.GIVEN_BACK, now, space=space)
    weekly = series_time(series)
    freed = FreedTime(
        organisation_id=organisation_id,
        space_id=series.space_id,
        site_id=series.site_id,
        kind="weekly",
        weekday=weekly.weekday,
        start_minute=weekly.start,
        end_minute=weekly.end,
        first_date=bookings[0].start.astimezone(OSLO).date(),
        last_date=bookings[-1].start.astimezone(OSLO).date(),
        series_id=series.id,
        status="offered",
        created_at=now,
        updated_at=now,
    )
    await _free(uow, holds, freed, bookings, now)
    await uow.commit()
    return given_back_public(freed, [b.id for b in bookings])


async def _rest_of(
    session: AsyncSession, series: BookingSeries, earliest: datetime
) -> list[Booking]:
    query = (
        select(Booking)
        .where(
            col(Booking.series_id) == series.id,
            col(Booking.status).in_(ACTIVE_STATUSES),
            col(Booking.start) >= earliest,
        )
        .order_by(col(Booking.start))
        .with_for_update()
    )
    return list((await session.execute(query)).scalars().all())


async def _free(
    uow: UnitOfWork, holds: Holds, freed: FreedTime, bookings: list[Booking], now: datetime
) -> None:
    """Store the freed time with its slots and offer it to the first fitting waiting club;
    released to everyone at once when none fits."""
    session = uow.session
    session.add(freed)
    await session.flush()
    session.add_all(
        FreedSlot(freed_id=freed.id, space_id=b.space_id, start=b.start, end=b.end)
        for b in bookings
    )
    await session.flush()
    if await _offer_next(uow, holds, freed, now) is None:
        freed.status = "released"


# --- offering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A waiting club the freed time fits, with the part of it the club would take."""

    organisation_id: uuid.UUID
    fit: WeeklyTime
    round_id: uuid.UUID | None = None
    round_entry_id: uuid.UUID | None = None
    direct_entry_id: uuid.UUID | None = None

    @property
    def entry_id(self) -> uuid.UUID:
        entry = self.round_entry_id or self.direct_entry_id
        assert entry is not None
        return entry


async def _candidates(
    session: AsyncSession, freed: FreedTime, place: Place
) -> AsyncIterator[Candidate]:
    """Round waiting entries first (rounds by season, entries by position), then clubs on
    the direct list, first joined first."""
    weekly = WeeklyTime(freed.weekday, freed.start_minute, freed.end_minute)
    capacity = place.space.capacity
    for rnd in await waiting_queries.rounds_sent_with_space(
        session, freed.space_id, freed.first_date
    ):
        if not in_evenings(rnd, weekly) or freed.last_date < rnd.season_first_date:
            continue
        for waiting in await waiting_queries.entries(session, rnd.id, status="waiting"):
            fit = fitting_time(section_of(waiting), str(freed.space_id), capacity, weekly)
            if fit is not None:
                yield Candidate(waiting.entry.organisation_id, fit, rnd.id, waiting.entry.id)
    for entry in await queries.direct_waiting(session, freed.space_id, freed.weekday):
        wish = DirectWish(
            str(entry.space_id),
            WeeklyTime(entry.weekday, entry.start_minute, entry.end_minute),
            entry.group_size,
        )
        fit = direct_fit(wish, str(freed.space_id), capacity, weekly)
        if fit is not None:
            yield Candidate(entry.organisation_id, fit, direct_entry_id=entry.id)


async def _offer_next(
    uow: UnitOfWork, holds: Holds, freed: FreedTime, now: datetime
) -> GivenBackOffer | None:
    """Hold the freed time for the first fitting waiting club not yet offered it; None when
    no one is left (or nothing of it lies ahead any more)."""
    session = uow.session
    if freed.last_date < _today(now):
        return None
    place = await load_place(session, freed.space_id)
    skip = await queries.offered_entries(session, freed.id)
    async for candidate in _candidates(session, freed, place):
        if candidate.entry_id in skip or candidate.organisation_id == freed.organisation_id:
            continue
        offer = GivenBackOffer(
            freed_id=freed.id,
            organisation_id=candidate.organisation_id,
            round_id=candidate.round_id,
            round_entry_id=candidate.round_entry_id,
            direct_entry_id=candidate.direct_entry_id,
            weekday=candidate.fit.weekday,
            start_minute=candidate.fit.start,
            end_minute=candidate.fit.end,
            status="open",
            held_until=now + timedelta(seconds=holds.hold_s),
            created_at=now,
        )
        session.add(offer)
        await session.flush()
        if not await holds.take(freed.id, offer.id):
            raise Conflict(
                "The time is held for another club.", "Tiden holdes av for en annen klubb."
            )
        await _publish(uow, freed, offer)
        return offer
    return None


async def _publish(
    uow: UnitOfWork, freed: FreedTime, offer: GivenBackOffer
) -> be.WaitingOfferState:
    state = await offer_state(uow.session, freed, offer)
    await uow.publish(be.WaitingOfferMade(offer=state), key=str(offer.organisation_id))
    return state


# --- accepting ---------------------------------------------------------------------------


def _no_longer_open(offer: GivenBackOffer) -> Conflict:
    return Conflict(
        "The offer is no longer open: it was accepted or its hold has lapsed.",
        "Tilbudet er ikke lenger åpent: det er tatt imot, eller fristen er ute.",
        offer_status=offer.status,
    )


async def accept(
    uow: UnitOfWork, holds: Holds, principal: Principal, offer_id: uuid.UUID, now: datetime
) -> GivenBackOfferPublic:
    """The club holding the offer books the time (a booker of it, before the hold lapses):
    the date as one booking, weekly time as a series to the freed time's last date.
    409 when the hold has lapsed, the offer was answered or the time was taken meanwhile."""
    session = uow.session
    seen = await queries.offer(session, offer_id)
    _check_may_answer(principal, seen)
    freed = await queries.freed(session, seen.freed_id)  # the lock accepts and lapses share
    offer = await queries.offer(session, offer_id, lock=True)
    if offer.status != "open" or freed.status != "offered":
        raise _no_longer_open(offer)
    if await holds.holder(freed.id) != str(offer.id):
        raise _no_longer_open(offer)
    place = await load_place(session, freed.space_id)
    organisation = await session.get(Organisation, offer.organisation_id)
    if organisation is None:
        raise _no_longer_open(offer)
    taker = await _taker(session, offer, organisation, principal)
    fit = WeeklyTime(offer.weekday, offer.start_minute, offer.end_minute)
    if freed.kind == "date":
        offer.booking_id = await _book_date(uow, place, taker, freed.first_date, fit, now)
    else:
        offer.series_id = await _book_weekly(uow, place, taker, freed, fit, now)
    offer.status, offer.answered_at = "accepted", now
    freed.status, freed.updated_at = "taken", now
    await _place_entry(session, offer)
    state = await _publish(uow, freed, offer)
    await uow.commit()
    await holds.drop(freed.id)
    return offer_public(offer, state)


def _check_may_answer(principal: Principal, offer: GivenBackOffer) -> None:
    if not principal.member_of(offer.organisation_id) and not principal.is_admin:
        raise NotFound(f"Unknown offer {offer.id}.", f"Ukjent tilbud {offer.id}.")
    if not principal.books_for(offer.organisation_id):
        raise Forbidden(
            "Only an administrator or booker of the club may answer its offers.",
            "Bare en administrator eller booker i klubben kan svare på tilbudene.",
        )


@dataclass(frozen=True)
class Taker:
    booker: Booker
    activity: str
    audience: str
    participants: int
    team_id: uuid.UUID | None


async def _taker(
    session: AsyncSession, offer: GivenBackOffer, organisation: Organisation, principal: Principal
) -> Taker:
    booker = Booker(BookerKind.ORGANISATION, organisation, principal.person_id)
    if offer.round_entry_id is not None:
        entry = await session.get(WaitingEntry, offer.round_entry_id)
        section = None if entry is None else await session.get(ApplicationSection, entry.section_id)
        if section is not None:
            return Taker(
                booker,
                section.activity,
                audience_for(section.age_group, organisation.category),
                section.group_size,
                section.team_id,
            )
    direct = (
        None
        if offer.direct_entry_id is None
        else await session.get(DirectWaitingEntry, offer.direct_entry_id)
    )
    if direct is None:
        raise _no_longer_open(offer)
    audience = audience_for(direct.age_group, organisation.category)
    return Taker(booker, direct.activity, audience, direct.group_size, None)


def _taken_meanwhile(place: Place, fit: WeeklyTime) -> Conflict:
    en, nb = weekly_text(fit)
    return Conflict(
        f"{place.space.name} {en} has been taken meanwhile.",
        f"{place.space.name} {nb} er tatt i mellomtiden.",
    )


async def _book_date(
    uow: UnitOfWork, place: Place, taker: Taker, day: date, fit: WeeklyTime, now: datetime
) -> uuid.UUID:
    session = uow.session
    interval = Interval(
        resolve_local(day, wall(fit.start)),
        resolve_local(day + timedelta(days=fit.end // (24 * 60)), wall(fit.end)),
    )
    details = BookingBase(
        space_id=place.space.space_id,
        organisation_id=taker.booker.organisation_id,
        activity=taker.activity,
        audience=taker.audience,
        participants=min(taker.participants, place.space.capacity),
    )
    rules = await catalogue.price_rules(session)
    quoted = price(place, interval, taker.audience, taker.booker, rules)
    booking = new_booking(place, taker.booker, details, interval, quoted)
    booking.status = BookingStatus.CONFIRMED.value
    booking.created_at = booking.updated_at = now
    try:
        await store(session, [(booking, place.space)])
    except SlotTaken:
        await uow.rollback()
        raise _taken_meanwhile(place, fit) from None
    state = await booking_state(session, booking, place)
    await uow.publish(placed_event(state), key=str(booking.space_id))
    return booking.id


async def _book_weekly(
    uow: UnitOfWork, place: Place, taker: Taker, freed: FreedTime, fit: WeeklyTime, now: datetime
) -> uuid.UUID:
    body = SeriesCreate(
        space_id=place.space.space_id,
        organisation_id=taker.booker.organisation_id,
        activity=taker.activity,
        audience=taker.audience,
        participants=min(taker.participants, place.space.capacity),
        weekday=fit.weekday,
        start_time=wall(fit.start),
        end_time=wall(fit.end),
        first_date=max(freed.first_date, _today(now)),
        last_date=freed.last_date,
    )
    plan = await series_use_cases.plan_weekly(uow.session, place, taker.booker, body, now)
    if any(s.reason.value == "conflict" for s in plan.skipped):
        raise _taken_meanwhile(place, fit)
    booked = await series_use_cases.book_planned(
        uow, place, taker.booker, body, plan, now, team_id=taker.team_id, confirmed=True
    )
    return booked.series.id


async def _place_entry(session: AsyncSession, offer: GivenBackOffer) -> None:
    """The waiting entry got what it waited for (a round section: one time a week less)."""
    if offer.round_entry_id is not None:
        entry = await session.get(WaitingEntry, offer.round_entry_id, with_for_update=True)
        if entry is not None and offer.series_id is not None:
            entry.times_wanted = max(entry.times_wanted - 1, 0)
            entry.status = "placed" if entry.times_wanted == 0 else "waiting"
    elif offer.direct_entry_id is not None:
        direct = await session.get(DirectWaitingEntry, offer.direct_entry_id, with_for_update=True)
        if direct is not None and offer.series_id is not None:
            direct.status = "placed"


# --- passing on --------------------------------------------------------------------------


async def pass_on_lapsed(uow: UnitOfWork, holds: Holds, now: datetime, limit: int) -> int:
    """Freed time whose hold has lapsed goes to the next fitting waiting club, or is released
    to everyone when no one is left. Returns how many were passed on or released."""
    session = uow.session
    changed = 0
    for freed in await queries.offered_freed(session, limit):
        offer = await queries.open_offer(session, freed.id)
        holder = await holds.holder(freed.id)
        if holder is not None:
            continue  # still held (or a stale hold from a rolled-back offer: wait it out)
        if offer is not None:
            offer.status, offer.answered_at = "expired", now
            await _publish(uow, freed, offer)
        if await _offer_next(uow, holds, freed, now) is None:
            freed.status, freed.updated_at = "released", now
        changed += 1
    await uow.commit()
    return changed


# --- reading -----------------------------------------------------------------------------


async def organisation_offers(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID
) -> list[GivenBackOfferPublic]:
    """Given-back time offered to the club, newest first (members)."""
    if not (principal.is_admin or principal.member_of(organisation_id)):
        raise NotFound(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    answers = []
    for offer in await queries.offers_of_organisation(session, organisation_id):
        freed = await queries.freed(session, offer.freed_id, lock=False)
        answers.append(offer_public(offer, await offer_state(session, freed, offer)))
    return answers
