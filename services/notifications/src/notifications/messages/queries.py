"""Message reads: who a message goes to (from the read model and preferences), what a closure
message suggests instead, and the delivery log (an admin sees every message, a recipient its own).

A recipient is named by a key (`notifications.domain.recipients`). The contact details come
from events: an organisation's and a site's from their events, a person's from their profile
(`ProfileChanged`) or, without one, from the contact given with the loan or booking. A
preference row set through the API overrides the channel and language the events carry; a
person who has both a profile and a preference is told the way they chose last.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.messages import Channel, FreeSlot, Language
from notifications.domain.recipients import Recipient, recipient_key
from notifications.domain.schedule import SpaceEvening, free_slots
from notifications.messages.tables import DeliveryAttempt, Message
from notifications.preferences.queries import recipients_of
from notifications.preferences.tables import RecipientPreference
from notifications.readmodel.queries import profile_of
from notifications.readmodel.tables import (
    BookingRecord,
    ClosureRecord,
    OrganisationRecord,
    ProfileRecord,
    SiteRecord,
    SpaceRecord,
    WindowRecord,
)
from samspill.auth import Principal
from samspill.availability import WindowView
from samspill.booking_rules import BookingRules
from samspill.errors import NotFound
from samspill.events import booking as bk
from samspill.events.booking import BookingState, Contact, SeriesState
from samspill.intervals import Interval
from samspill.recurrence import local_date, local_interval

ACTIVE_BOOKING = ("confirmed", "requested")


# --- recipients -----------------------------------------------------------------------------


async def _with_preference(session: AsyncSession, recipient: Recipient) -> Recipient:
    preference = await session.get(RecipientPreference, recipient.key)
    if preference is None:
        return recipient
    return replace(
        recipient, channel=Channel(preference.channel), language=Language(preference.language)
    )


async def organisation_recipient(session: AsyncSession, organisation_id: uuid.UUID) -> Recipient:
    key = recipient_key("organisation", organisation_id)
    organisation = await session.get(OrganisationRecord, organisation_id)
    if organisation is None:
        return await _with_preference(session, Recipient(key, None, None))
    recipient = Recipient(
        key,
        organisation.contact_email,
        organisation.contact_phone,
        Channel(organisation.channel),
        Language(organisation.language),
    )
    return await _with_preference(session, recipient)


# Booking may take a loan before it has heard the centre's name (site and stock events travel
# under different keys); the message then names the centre as the read model knows it.
UNNAMED_CENTRE = "utstyrssentralen"


async def centre_name(session: AsyncSession, centre_id: uuid.UUID) -> str:
    site = await session.get(SiteRecord, centre_id)
    return site.name if site is not None and site.name else UNNAMED_CENTRE


async def site_recipient(session: AsyncSession, site_id: uuid.UUID) -> Recipient:
    key = recipient_key("site", site_id)
    site = await session.get(SiteRecord, site_id)
    email, phone = (site.contact_email, site.contact_phone) if site else (None, None)
    return await _with_preference(session, Recipient(key, email, phone))


async def resident_recipient(
    session: AsyncSession, person_id: str, contact: Contact | None = None
) -> Recipient:
    """A person: their profile when they have one (a detail it lacks from the contact given
    with the loan or booking), else that contact."""
    key = recipient_key("resident", person_id)
    given = contact or Contact()
    profile = await profile_of(session, person_id)
    if profile is None:
        recipient = Recipient(
            key, given.email, given.phone, Channel(given.channel), Language(given.language)
        )
        return await _with_preference(session, recipient)
    recipient = Recipient(
        key,
        profile.email or given.email,
        profile.phone or given.phone,
        Channel(profile.channel),
        Language(profile.language),
        name=profile.display_name or None,
    )
    return await _with_newer_preference(session, recipient, profile)


async def _with_newer_preference(
    session: AsyncSession, recipient: Recipient, profile: ProfileRecord
) -> Recipient:
    """Both the profile and a preference are the person's own choice: the later one counts."""
    preference = await session.get(RecipientPreference, recipient.key)
    if preference is None or preference.updated_at <= profile.changed_at:
        return recipient
    return replace(
        recipient, channel=Channel(preference.channel), language=Language(preference.language)
    )


async def booker_recipient(session: AsyncSession, booked: BookingState | SeriesState) -> Recipient:
    """Who is told about a booking or series: the organisation's contact, or for a resident's
    own booking the contact the resident gave with it."""
    if booked.contact is None:
        return await organisation_recipient(session, booked.organisation_id)
    resident = booked.resident_id or str(booked.organisation_id)
    return await resident_recipient(session, resident, booked.contact)


# --- bookings and series --------------------------------------------------------------------


async def first_of_series(session: AsyncSession, series_id: UUID) -> BookingRecord | None:
    result = await session.execute(
        select(BookingRecord)
        .where(col(BookingRecord.series_id) == series_id)
        .order_by(col(BookingRecord.start))
        .limit(1)
    )
    return result.scalars().first()


async def series_statuses(session: AsyncSession, series_id: UUID) -> set[str]:
    """The statuses the series' bookings have."""
    result = await session.execute(
        select(col(BookingRecord.status)).where(col(BookingRecord.series_id) == series_id)
    )
    return set(result.scalars())


# --- closures and free slots ----------------------------------------------------------------


async def closure_of(session: AsyncSession, booking: bk.BookingState) -> ClosureRecord | None:
    """The known closure that covers the booking (its space, a conflicting one, or the site)."""
    space = await session.get(SpaceRecord, booking.space_id)
    related = {str(booking.space_id), *(space.conflicts_with if space else [])}
    result = await session.execute(
        select(ClosureRecord)
        .where(
            col(ClosureRecord.site_id) == booking.site_id,
            col(ClosureRecord.start) < booking.end,
            col(ClosureRecord.end) > booking.start,
        )
        .order_by(col(ClosureRecord.start), col(ClosureRecord.closure_id))
    )
    for closure in result.scalars():
        if closure.space_id is None or str(closure.space_id) in related:
            return closure
    return None


async def evening_free_slots(
    session: AsyncSession, booking: bk.BookingState, *, now: datetime
) -> list[FreeSlot]:
    """Free released time at the booking's site on its evening, from the read model."""
    day = local_date(booking.start)
    span = local_interval(day, time(0), time(0))
    spaces = (
        (
            await session.execute(
                select(SpaceRecord).where(
                    col(SpaceRecord.site_id) == booking.site_id, col(SpaceRecord.retired).is_(False)
                )
            )
        )
        .scalars()
        .all()
    )
    windows = (
        (
            await session.execute(
                select(WindowRecord).where(col(WindowRecord.site_id) == booking.site_id)
            )
        )
        .scalars()
        .all()
    )
    booked, closed = await _taken(session, booking.site_id, span)
    evenings = [
        SpaceEvening(
            name=space.name,
            rules=_rules(space),
            windows=tuple(
                view
                for w in windows
                if w.space_id == space.space_id and (view := _window_view(w)) is not None
            ),
            closed=tuple(_taken_from(space, spaces, closed)),
            booked=tuple(_taken_from(space, spaces, booked)),
        )
        for space in spaces
    ]
    return free_slots(evenings, day, now=now)


Taken = dict[str | None, list[Interval]]


async def _taken(session: AsyncSession, site_id: UUID, span: Interval) -> tuple[Taken, Taken]:
    """Booked and closed intervals on the day, by space id (None: the whole site is closed)."""
    booked: Taken = {}
    bookings = await session.execute(
        select(col(BookingRecord.space_id), col(BookingRecord.start), col(BookingRecord.end)).where(
            col(BookingRecord.site_id) == site_id,
            col(BookingRecord.status).in_(ACTIVE_BOOKING),
            col(BookingRecord.start) < span.end,
            col(BookingRecord.end) > span.start,
        )
    )
    for space_id, start, end in bookings.all():
        booked.setdefault(str(space_id), []).append(Interval(start, end))
    closed: Taken = {}
    closures = await session.execute(
        select(col(ClosureRecord.space_id), col(ClosureRecord.start), col(ClosureRecord.end)).where(
            col(ClosureRecord.site_id) == site_id,
            col(ClosureRecord.start) < span.end,
            col(ClosureRecord.end) > span.start,
        )
    )
    for closed_space, closed_from, closed_to in closures.all():
        key = None if closed_space is None else str(closed_space)
        closed.setdefault(key, []).append(Interval(closed_from, closed_to))
    return booked, closed


def _taken_from(
    space: SpaceRecord, spaces: Sequence[SpaceRecord], taken: Mapping[str | None, list[Interval]]
) -> list[Interval]:
    """A space is taken by itself, by spaces it conflicts with (either way), and by the site."""
    own = str(space.space_id)
    related = {own, *space.conflicts_with}
    related.update(str(other.space_id) for other in spaces if own in other.conflicts_with)
    return [i for key in [None, *sorted(related)] for i in taken.get(key, [])]


def _rules(space: SpaceRecord) -> BookingRules:
    return BookingRules(
        min_minutes=space.min_minutes,
        max_minutes=space.max_minutes,
        granularity_minutes=space.granularity_minutes,
        horizon_days=space.horizon_days,
        buffer_minutes=space.buffer_minutes,
    )


def _window_view(window: WindowRecord) -> WindowView | None:
    return WindowView.released(
        str(window.window_id),
        str(window.space_id),
        kind=window.kind,
        weekdays=window.weekdays,
        start=window.start_time,
        end=window.end_time,
        valid_from=window.valid_from,
        valid_to=window.valid_to,
        withdrawn_dates=(date.fromisoformat(day) for day in window.withdrawn_dates),
        withdrawn=window.withdrawn,
    )


# --- the delivery log -----------------------------------------------------------------------


async def messages_for(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    limit: int,
    offset: int,
) -> list[Message]:
    """Newest first: every message for an admin, a recipient's own otherwise."""
    statement = select(Message).order_by(col(Message.created_at).desc(), col(Message.id))
    if not principal.is_admin:
        statement = statement.where(col(Message.recipient).in_(recipients_of(principal)))
    if status is not None:
        statement = statement.where(col(Message.status) == status)
    result = await session.execute(statement.limit(limit).offset(offset))
    return list(result.scalars())


async def message_with_attempts(
    session: AsyncSession, principal: Principal, message_id: uuid.UUID
) -> tuple[Message, list[DeliveryAttempt]]:
    message = await session.get(Message, message_id)
    if message is None or not (principal.is_admin or message.recipient in recipients_of(principal)):
        raise NotFound("No such message.", "Fant ikke meldingen.")
    attempts = await session.execute(
        select(DeliveryAttempt)
        .where(col(DeliveryAttempt.message_id) == message_id)
        .order_by(col(DeliveryAttempt.attempted_at), col(DeliveryAttempt.id))
    )
    return message, list(attempts.scalars())
