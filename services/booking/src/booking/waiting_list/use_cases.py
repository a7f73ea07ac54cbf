"""Use cases of the waiting list: offer freed weekly time to the first fitting waiting
section, accept or decline an offer, and let lapsed offers pass on.

The offer made when a series' rest is cancelled joins that cancellation's unit of work; the
others commit once each."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from booking.allocation import use_cases as allocation
from booking.allocation.queries import weekly_ranges
from booking.bookings.queries import load_place
from booking.domain.allocation import AgeGroup, Section, WeeklyTime
from booking.domain.giving_back import check_direct_wish, direct_wish
from booking.domain.weekly_time import fitting_time, minutes
from booking.rounds.tables import ApplicationRound
from booking.series.tables import BookingSeries
from booking.waiting_list import queries
from booking.waiting_list.queries import Waiting
from booking.waiting_list.schemas import (
    DirectEntryCreate,
    DirectEntryPublic,
    WaitingEntryPublic,
    WaitingListPublic,
    WaitingOfferPublic,
    direct_entry_public,
    entry_public,
    offer_public,
)
from booking.waiting_list.states import offer_state
from booking.waiting_list.tables import DirectWaitingEntry, WaitingOffer
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, Forbidden, NotFound
from samspill.events import booking as be
from samspill.recurrence import OSLO

OFFER_DAYS = 7


def _today(now: datetime) -> date:
    return now.astimezone(OSLO).date()


def series_time(series: BookingSeries) -> WeeklyTime:
    start, end = minutes(series.local_start_time), minutes(series.local_end_time)
    return WeeklyTime(series.weekday, start, end if end > start else 24 * 60)


def in_evenings(rnd: ApplicationRound, weekly: WeeklyTime) -> bool:
    return (
        weekly.weekday in rnd.weekdays
        and minutes(rnd.evening_start) <= weekly.start
        and weekly.end <= minutes(rnd.evening_end)
    )


async def offer_freed_series(
    uow: UnitOfWork, series: BookingSeries, from_date: date | None, now: datetime
) -> WaitingOffer | None:
    """The rest of a series was cancelled: when its space is in a round whose results are
    sent and its weekly time lies in the round's evenings and season, offer the time from the
    later of the cancellation date and today to the season's end to the first fitting waiting
    section. Joins the caller's unit of work; does not commit."""
    session = uow.session
    first = max(from_date or _today(now), _today(now))
    weekly = series_time(series)
    for rnd in await queries.rounds_sent_with_space(session, series.space_id, first):
        if not in_evenings(rnd, weekly) or series.last_date < rnd.season_first_date:
            continue
        start = max(first, rnd.season_first_date)
        return await _offer_next(uow, rnd, series.space_id, weekly, start, series.id, None, now)
    return None


def section_of(waiting: Waiting) -> Section:
    section = waiting.applicant.section
    return Section(
        section_id=str(section.id),
        club_id=str(waiting.entry.organisation_id),
        name=section.name,
        age_group=AgeGroup(section.age_group),
        local=waiting.applicant.organisation.district is not None,
        club_rank=section.position,
        group_size=section.group_size,
        times_per_week=section.times_per_week,
        min_minutes=section.min_minutes,
        max_minutes=section.max_minutes,
        halls=tuple(section.halls),
        preferred=weekly_ranges(section.preferred),
        acceptable=weekly_ranges(section.acceptable),
    )


async def _offer_next(
    uow: UnitOfWork,
    rnd: ApplicationRound,
    space_id: uuid.UUID,
    freed: WeeklyTime,
    first_date: date,
    freed_by: uuid.UUID | None,
    previous: WaitingOffer | None,
    now: datetime,
) -> WaitingOffer | None:
    """An open offer to the first waiting entry (by position) the freed time fits, if any."""
    session = uow.session
    if first_date > rnd.season_last_date:
        return None
    place = await load_place(session, space_id)
    skip = await queries.offered_entries(session, rnd.id, freed_by, previous)
    for waiting in await queries.entries(session, rnd.id, status="waiting", lock=True):
        if waiting.entry.id in skip:
            continue
        fit = fitting_time(section_of(waiting), str(space_id), place.space.capacity, freed)
        if fit is None:
            continue
        offer = WaitingOffer(
            entry_id=waiting.entry.id,
            round_id=rnd.id,
            space_id=space_id,
            site_id=place.site.site_id,
            weekday=fit.weekday,
            start_minute=fit.start,
            end_minute=fit.end,
            first_date=first_date,
            last_date=rnd.season_last_date,
            status="open",
            expires_at=now + timedelta(days=OFFER_DAYS),
            freed_by_series_id=freed_by,
            created_at=now,
        )
        session.add(offer)
        waiting.entry.status = "offered"
        await session.flush()
        await _publish(uow, offer, waiting)
        return offer
    return None


async def _publish(uow: UnitOfWork, offer: WaitingOffer, waiting: Waiting) -> be.WaitingOfferState:
    state = await offer_state(uow.session, offer, waiting.applicant)
    await uow.publish(be.WaitingOfferMade(offer=state), key=str(waiting.entry.organisation_id))
    return state


async def _pass_on(uow: UnitOfWork, offer: WaitingOffer, now: datetime) -> None:
    """Offer the time an answered or lapsed offer held to the next fitting entry."""
    session = uow.session
    rnd = await session.get(ApplicationRound, offer.round_id)
    if rnd is None:
        return
    series = (
        None
        if offer.freed_by_series_id is None
        else await session.get(BookingSeries, offer.freed_by_series_id)
    )
    freed = (
        series_time(series)
        if series is not None
        else WeeklyTime(offer.weekday, offer.start_minute, offer.end_minute)
    )
    first = max(offer.first_date, _today(now))
    await _offer_next(uow, rnd, offer.space_id, freed, first, offer.freed_by_series_id, offer, now)


# --- answering --------------------------------------------------------------------------


async def _answerable(
    uow: UnitOfWork, principal: Principal, offer_id: uuid.UUID, now: datetime
) -> tuple[WaitingOffer, Waiting]:
    session = uow.session
    offer = await queries.offer(session, offer_id)
    waiting = await queries.waiting(session, offer.entry_id)
    organisation = waiting.applicant.organisation
    if not principal.member_of(organisation.id) and not principal.is_admin:
        raise NotFound(f"Unknown offer {offer_id}.", f"Ukjent tilbud {offer_id}.")
    if not principal.books_for(organisation.id):
        raise Forbidden(
            f"Only an administrator or booker of {organisation.name} may answer its offers.",
            f"Bare en administrator eller booker i {organisation.name} kan svare på tilbudene.",
        )
    if offer.status != "open" or offer.expires_at <= now:
        raise Conflict(
            "The offer is no longer open.",
            "Tilbudet er ikke lenger åpent.",
            offer_status=offer.status,
        )
    return offer, waiting


async def accept(
    uow: UnitOfWork, principal: Principal, offer_id: uuid.UUID, now: datetime
) -> WaitingOfferPublic:
    """Book the offered time as the club's weekly series to the season's end (409 when the
    offer is no longer open or the time has been taken meanwhile)."""
    session = uow.session
    offer, waiting = await _answerable(uow, principal, offer_id, now)
    place = await load_place(session, offer.space_id)
    first = max(offer.first_date, _today(now))
    offer.series_id = await allocation.book_round_series(
        uow,
        place,
        waiting.applicant,
        WeeklyTime(offer.weekday, offer.start_minute, offer.end_minute),
        (first, offer.last_date),
        None,  # the club hears of it as of any new series: a confirmation
        now,
        refuse_taken=True,
    )
    offer.status, offer.answered_at = "accepted", now
    entry = waiting.entry
    entry.times_wanted = max(entry.times_wanted - 1, 0)
    entry.status = "placed" if entry.times_wanted == 0 else "waiting"
    state = await _publish(uow, offer, waiting)
    await uow.commit()
    return offer_public(offer, state)


async def decline(
    uow: UnitOfWork, principal: Principal, offer_id: uuid.UUID, now: datetime
) -> WaitingOfferPublic:
    """The club says no: it keeps its place in line and the next fitting entry is offered
    the time."""
    offer, waiting = await _answerable(uow, principal, offer_id, now)
    offer.status, offer.answered_at = "declined", now
    waiting.entry.status = "waiting"
    state = await _publish(uow, offer, waiting)
    await _pass_on(uow, offer, now)
    await uow.commit()
    return offer_public(offer, state)


async def expire_lapsed(uow: UnitOfWork, now: datetime, limit: int) -> int:
    """Open offers past their expiry lapse and pass on to the next entry; a batch."""
    offers = await queries.lapsed_offers(uow.session, now, limit)
    for offer in offers:
        waiting = await queries.waiting(uow.session, offer.entry_id)
        offer.status, offer.answered_at = "expired", now
        waiting.entry.status = "waiting"
        await _publish(uow, offer, waiting)
        await _pass_on(uow, offer, now)
    await uow.commit()
    return len(offers)


# --- reading (shaped here, beside the states they show, so the routes stay thin) ---------


async def organisation_offers(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID
) -> list[WaitingOfferPublic]:
    if not (principal.is_admin or principal.member_of(organisation_id)):
        raise NotFound(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    answers = []
    for offer in await queries.offers_of_organisation(session, organisation_id):
        waiting = await queries.waiting(session, offer.entry_id, lock=False)
        answers.append(offer_public(offer, await offer_state(session, offer, waiting.applicant)))
    return answers


async def round_waiting_list(session: AsyncSession, round_id: uuid.UUID) -> WaitingListPublic:
    rnd = await session.get(ApplicationRound, round_id)
    if rnd is None:
        raise NotFound(f"Unknown round {round_id}.", f"Ukjent søknadsrunde {round_id}.")
    listed = await queries.entries(session, round_id)
    by_entry = {w.entry.id: w for w in listed}
    offers: dict[uuid.UUID, list[WaitingOfferPublic]] = {}
    for offer in await queries.offers_of_round(session, round_id):
        waiting = by_entry[offer.entry_id]
        state = await offer_state(session, offer, waiting.applicant)
        offers.setdefault(offer.entry_id, []).append(offer_public(offer, state))
    entries: list[WaitingEntryPublic] = [
        entry_public(
            w.entry,
            w.applicant.section.name,
            w.applicant.organisation.name,
            offers.get(w.entry.id, []),
        )
        for w in listed
    ]
    return WaitingListPublic(round_id=round_id, entries=entries)


# --- the direct waiting list -------------------------------------------------------------


def _check_books_for(principal: Principal, organisation_id: uuid.UUID) -> None:
    if not principal.books_for(organisation_id):
        raise Forbidden(
            "Only an administrator or booker of the club may put it on the waiting list.",
            "Bare en administrator eller booker i klubben kan sette den på ventelisten.",
        )


async def join_direct(
    uow: UnitOfWork, principal: Principal, body: DirectEntryCreate, now: datetime
) -> DirectEntryPublic:
    """The club waits for a weekly time in a hall; given-back time that fits is offered to it
    after the rounds' waiting entries. 422 off the half hour, an end not after the start or a
    group larger than the hall; 409 when the club already waits for that time."""
    _check_books_for(principal, body.organisation_id)
    session = uow.session
    place = await load_place(session, body.space_id)
    wished = direct_wish(body.weekday, minutes(body.start), minutes(body.end))
    check_direct_wish(wished, body.group_size, place.space.capacity)
    entry = DirectWaitingEntry(
        organisation_id=body.organisation_id,
        space_id=body.space_id,
        weekday=wished.weekday,
        start_minute=wished.start,
        end_minute=wished.end,
        activity=body.activity,
        age_group=body.age_group,
        group_size=body.group_size,
        status="waiting",
        created_at=now,
    )
    if await queries.same_direct_entry(session, entry) is not None:
        raise Conflict(
            "The club is already on the waiting list for this time.",
            "Klubben står allerede på ventelisten for denne tiden.",
        )
    session.add(entry)
    await uow.commit()
    return direct_entry_public(entry)


async def direct_entries(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID
) -> list[DirectEntryPublic]:
    if not (principal.is_admin or principal.member_of(organisation_id)):
        raise NotFound(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    return [
        direct_entry_public(e) for e in await queries.direct_entries_of(session, organisation_id)
    ]


async def leave_direct(uow: UnitOfWork, principal: Principal, entry_id: uuid.UUID) -> None:
    """The club leaves the waiting list (a booker of it); 409 when it has left already."""
    session = uow.session
    entry = await session.get(DirectWaitingEntry, entry_id, with_for_update=True)
    if entry is None or not (principal.is_admin or principal.member_of(entry.organisation_id)):
        raise NotFound(f"Unknown waiting-list entry {entry_id}.", f"Ukjent venteplass {entry_id}.")
    _check_books_for(principal, entry.organisation_id)
    if entry.status == "removed":
        raise Conflict("The club has left this waiting list.", "Klubben har gått av ventelisten.")
    entry.status = "removed"
    await uow.commit()
