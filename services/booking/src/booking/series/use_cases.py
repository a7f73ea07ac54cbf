"""Use cases of weekly series: plan and book a season at once, cancel one or the rest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.activities import use_cases as activities
from booking.bookings.queries import (
    ACTIVE_STATUSES,
    Booker,
    Place,
    booking_for,
    busy_in,
    check_may_change,
    load_place,
    raise_clash,
    resolve_booker,
)
from booking.bookings.schemas import BookingPublic, booking_public
from booking.bookings.states import booking_state, local_text, placed_event
from booking.bookings.tables import Booking
from booking.bookings.use_cases import (
    SlotTaken,
    cancel_booking,
    cancel_reason,
    check_limit,
    claim,
    new_booking,
    price,
    store,
)
from booking.catalogue import queries as catalogue
from booking.config import BookingSettings
from booking.domain import (
    BookingStatus,
    CancellationReason,
    SeriesPlan,
    SkippedOccurrence,
    check_series,
    initial_status,
    plan_series,
)
from booking.giving_back import queries as giving_back
from booking.rounds import queries as rounds
from booking.series.queries import series_for
from booking.series.schemas import (
    OccurrencePreview,
    SeriesCancelled,
    SeriesCreate,
    SeriesPreview,
    SeriesPublic,
    SkippedPublic,
    series_public,
)
from booking.series.states import series_state
from booking.series.tables import BookingSeries
from booking.waiting_list import use_cases as waiting_list
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import NotFound, RuleViolation
from samspill.events import booking as be
from samspill.intervals import Interval
from samspill.recurrence import norwegian_public_holidays, resolve_local

_MIDNIGHT = time(0, 0)


async def create_series(
    uow: UnitOfWork,
    principal: Principal,
    body: SeriesCreate,
    settings: BookingSettings,
    now: datetime,
) -> SeriesPublic:
    """Validate every occurrence at once; book those that fit and list the skipped with why."""
    session = uow.session
    place, booker = await _place_and_booker(session, principal, body, settings)
    plan = await plan_weekly(session, place, booker, body, now)
    await giving_back.check_not_held(session, catalogue.conflict_ids(place.space), plan.created)
    await check_limit(session, place, booker, plan.created, settings, now)
    booked = await book_planned(uow, place, booker, body, plan, now)
    await uow.commit()
    answers = [booking_public(b, s) for b, s in zip(booked.bookings, booked.states, strict=True)]
    return series_public(booked.series, answers, [_skipped(s) for s in plan.skipped])


@dataclass(frozen=True)
class BookedSeries:
    series: BookingSeries
    bookings: list[Booking]
    states: list[be.BookingState]
    skipped: list[SkippedOccurrence]


async def plan_weekly(
    session: AsyncSession, place: Place, booker: Booker, body: SeriesCreate, now: datetime
) -> SeriesPlan:
    """The dates a series would book and those it skips with why; 422 when none is left."""
    plan = await _plan(session, place, booker, body, now)
    if not plan.created:
        raise _nothing_bookable(plan.skipped)
    return plan


async def book_planned(
    uow: UnitOfWork,
    place: Place,
    booker: Booker,
    body: SeriesCreate,
    plan: SeriesPlan,
    now: datetime,
    *,
    round_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    confirmed: bool = False,
) -> BookedSeries:
    """Book a planned series for a booker the caller has already let book (no membership or
    hour-limit check here): store it and its bookings, publish them and `series.created`.
    `confirmed` skips the space's approval step (staff handed the time out themselves).
    Does not commit; a clash with a booking made meanwhile rolls back and raises 409."""
    session = uow.session
    series = _new_series(place, booker, body, plan)
    series.round_id, series.team_id = round_id, team_id
    series.created_at = now  # the bookings' time: `series.created` and later states agree
    session.add(series)
    bookings = await _book(uow, place, booker, body, plan, series, now, confirmed=confirmed)
    states = [await booking_state(session, booking) for booking in bookings]
    for state in states:
        await uow.publish(placed_event(state), key=str(place.space.space_id))
    created = be.SeriesCreated(series=series_state(place, series, states, plan.skipped))
    await uow.publish(created, key=str(place.space.space_id))
    return BookedSeries(series, bookings, states, plan.skipped)


async def preview_series(
    uow: UnitOfWork,
    principal: Principal,
    body: SeriesCreate,
    settings: BookingSettings,
    now: datetime,
) -> SeriesPreview:
    """What `create_series` would book and skip, by the same rules, without writing anything:
    a series refused as a whole raises as it would; no bookable date gives an empty `created`."""
    session = uow.session
    place, booker = await _place_and_booker(session, principal, body, settings)
    plan = await _plan(session, place, booker, body, now)
    if plan.created:
        await check_limit(session, place, booker, plan.created, settings, now)
    status = initial_status(catalogue.space_view(place.space).rules)
    rules = await catalogue.price_rules(session)
    created = []
    for interval in plan.created:
        quoted = price(place, interval, body.audience, booker, rules)
        created.append(
            OccurrencePreview(
                start=interval.start,
                end=interval.end,
                local_start=local_text(interval.start),
                local_end=local_text(interval.end),
                status="requested" if status is BookingStatus.REQUESTED else "confirmed",
                price_ore=quoted.total_ore,
                price_explanation=quoted.explanation_nb,
                price_explanation_en=quoted.explanation_en,
            )
        )
    await uow.rollback()
    return SeriesPreview(created=created, skipped=[_skipped(s) for s in plan.skipped])


async def _place_and_booker(
    session: AsyncSession, principal: Principal, body: SeriesCreate, settings: BookingSettings
) -> tuple[Place, Booker]:
    """What creating and previewing a series check first: the place, who books and the price
    category they claim, and that no reserving round covers the space."""
    place = await load_place(session, body.space_id)
    booker = await resolve_booker(
        session,
        principal,
        body.organisation_id,
        body.contact,
        sms_available=settings.sms_available,
    )
    claim(booker, body.audience)
    await _check_not_reserved(session, place, body)
    return place, booker


async def _check_not_reserved(session: AsyncSession, place: Place, body: SeriesCreate) -> None:
    """No week of the series may fall in the season evenings an application round hands out."""
    await rounds.check_series_not_reserved(
        session,
        place.space,
        body.weekday,
        body.start_time,
        body.end_time,
        body.first_date,
        body.last_date,
    )


async def _plan(
    session: AsyncSession, place: Place, booker: Booker, body: SeriesCreate, now: datetime
) -> SeriesPlan:
    space = catalogue.space_view(place.space)
    # Refused on the horizon before any closure, booking or holiday is looked up.
    check_series(
        space, body.weekday, body.start_time, body.end_time, body.first_date, body.last_date, now
    )
    span = _span(body.first_date, body.last_date)
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    years = range(body.first_date.year, max(body.last_date, body.first_date).year + 1)
    return plan_series(
        space,
        body.weekday,
        body.start_time,
        body.end_time,
        body.first_date,
        body.last_date,
        await catalogue.windows_of(session, [place.space.space_id]),
        await catalogue.closures_of(session, [place.site.site_id], span),
        norwegian_public_holidays(years),
        await busy_in(session, catalogue.conflict_ids(place.space), span.padded(buffer)),
        now,
        participants=body.participants,
        closed_on_holidays=place.site.closes_on_public_holidays,
        booker=booker.kind,
    )


def _span(first: date, last: date) -> Interval:
    """Local midnight before `first` to local midnight after `last` (at least one day)."""
    return Interval(
        resolve_local(first, _MIDNIGHT),
        resolve_local(max(first, last) + timedelta(days=1), _MIDNIGHT),
    )


def _nothing_bookable(skipped: list[SkippedOccurrence]) -> RuleViolation:
    reasons_en = "; ".join(f"{s.date}: {s.detail}" for s in skipped[:10])
    reasons_nb = "; ".join(f"{s.date}: {s.detail_nb}" for s in skipped[:10])
    return RuleViolation(
        f"No date of the series can be booked ({reasons_en}).",
        f"Ingen av datoene i serien kan bookes ({reasons_nb}).",
    )


def _new_series(
    place: Place, booker: Booker, body: SeriesCreate, plan: SeriesPlan
) -> BookingSeries:
    assert body.weekday is not None  # plan_series refused a series without one
    return BookingSeries(
        space_id=place.space.space_id,
        site_id=place.site.site_id,
        organisation_id=booker.organisation_id,
        booker_sub=booker.sub,
        activity=body.activity,
        audience=body.audience,
        participants=body.participants,
        weekday=body.weekday,
        local_start_time=f"{body.start_time:%H:%M}",
        local_end_time=f"{body.end_time:%H:%M}",
        first_date=body.first_date,
        last_date=body.last_date,
        skipped=[_skipped(s).model_dump(mode="json") for s in plan.skipped],
        contact=booker.contact,
    )


async def _book(
    uow: UnitOfWork,
    place: Place,
    booker: Booker,
    body: SeriesCreate,
    plan: SeriesPlan,
    series: BookingSeries,
    now: datetime,
    *,
    confirmed: bool = False,
) -> list[Booking]:
    session = uow.session
    rules = await catalogue.price_rules(session)
    status = (
        BookingStatus.CONFIRMED
        if confirmed
        else initial_status(catalogue.space_view(place.space).rules)
    )
    bookings = []
    for interval in plan.created:
        quoted = price(place, interval, body.audience, booker, rules)
        booking = new_booking(place, booker, body, interval, quoted, series_id=series.id)
        booking.status = status.value
        booking.created_at = booking.updated_at = now
        bookings.append(booking)
    try:
        await session.flush()
        await store(session, [(booking, place.space) for booking in bookings])
    except SlotTaken:
        await uow.rollback()
        await raise_clash(session, place.space, plan.created)
    return bookings


def _skipped(skipped: SkippedOccurrence) -> SkippedPublic:
    return SkippedPublic(
        date=skipped.date,
        reason=skipped.reason.value,
        detail=skipped.detail,
        detail_nb=skipped.detail_nb,
    )


async def cancel_rest(
    uow: UnitOfWork,
    principal: Principal,
    series_id: uuid.UUID,
    from_date: date | None,
    now: datetime,
) -> SeriesCancelled:
    """Cancel the future occurrences from a date on; an organisation keeps those inside the
    cancellation deadline (only the site's manager may cancel those)."""
    session = uow.session
    series = await series_for(session, principal, series_id)
    await check_may_change(session, principal, series.organisation_id, series.site_id)
    space = await catalogue.get_space(session, series.space_id)
    deadline_hours = space.rules.cancellation_deadline_hours if space else 0
    by_manager = principal.manages_site(series.site_id)
    earliest = max(now, resolve_local(from_date, _MIDNIGHT) if from_date else now)
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
    cancelled, kept = [], []
    for booking in (await session.execute(query)).scalars().all():
        if not by_manager and booking.start - now < timedelta(hours=deadline_hours):
            kept.append(booking.id)
            continue
        await cancel_booking(uow, booking, CancellationReason.SERIES_CANCELLED, now, space=space)
        cancelled.append(booking.id)
    if cancelled:
        # Freed season time goes first to the round's waiting list, in this transaction.
        await waiting_list.offer_freed_series(uow, series, from_date, now)
        # A series whose rest is cancelled leaves the public activity guide.
        await activities.withdraw_if_public(uow, series)
    await uow.commit()
    return SeriesCancelled(series_id=series.id, cancelled=cancelled, kept=kept)


async def cancel_occurrence(
    uow: UnitOfWork,
    principal: Principal,
    series_id: uuid.UUID,
    booking_id: uuid.UUID,
    now: datetime,
) -> BookingPublic:
    session = uow.session
    series = await series_for(session, principal, series_id)
    booking = await booking_for(session, principal, booking_id)
    await check_may_change(session, principal, booking.organisation_id, booking.site_id)
    if booking.series_id != series.id:
        raise NotFound(
            f"Booking {booking_id} is not part of series {series_id}.",
            f"Bookingen {booking_id} hører ikke til serien {series_id}.",
        )
    await cancel_booking(uow, booking, cancel_reason(principal, booking), now)
    state = await booking_state(session, booking)
    await uow.commit()
    return booking_public(booking, state)
