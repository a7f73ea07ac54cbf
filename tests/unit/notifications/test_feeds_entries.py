"""Read-model records as feed entries: series with RRULE/EXDATE/overrides, visibility, loans."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from notifications.domain.entries import (
    CANCELLED_VISIBLE,
    HISTORY,
    Audience,
    BookingView,
    LoanView,
    SeriesView,
    booking_entries,
    booking_uid,
    feed_stamp,
    loan_entries,
    series_uid,
)
from notifications.domain.feed import EntryStatus, FeedInfo, render_feed

from .feed_builders import OSLO, oslo

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)
CREATED = datetime(2026, 8, 20, 9, tzinfo=UTC)
INFO = FeedInfo(name="Gymsal", description="Bookinger")
STATUS = {"confirmed": "CONFIRMED", "requested": "TENTATIVE", "cancelled": "CANCELLED"}


def booking(
    day: date,
    *,
    series_id: uuid.UUID | None = None,
    status: str = "confirmed",
    hours: tuple[int, int] = (18, 20),
    version: int = 1,
    updated: datetime = CREATED,
) -> BookingView:
    return BookingView(
        booking_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{series_id}{day}"),
        series_id=series_id,
        space_name="Gymsal",
        site_name="Skjetten skole",
        organisation_name="Skjetten IL",
        activity="fotball",
        participants=20,
        price_explanation="Gratis",
        start=oslo(day, hours[0]),
        end=oslo(day, hours[1]),
        status=status,
        version=version,
        created_at=CREATED,
        updated_at=updated,
    )


def series(series_id: uuid.UUID, first: date, last: date) -> SeriesView:
    return SeriesView(
        series_id=series_id,
        space_name="Gymsal",
        site_name="Skjetten skole",
        organisation_name="Skjetten IL",
        activity="fotball",
        local_start_time=time(18),
        local_end_time=time(20),
        first_date=first,
        last_date=last,
        created_at=CREATED,
    )


def expand(bookings: list[BookingView], known: list[SeriesView]) -> list[tuple]:
    entries = booking_entries(bookings, known, Audience.PUBLIC, now=NOW)
    body = render_feed(INFO, entries, stamp=feed_stamp(entries, CREATED))
    calendar = Calendar.from_ical(body)
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
    return sorted(
        (e.DTSTART.astimezone(UTC), e.DTEND.astimezone(UTC), str(e["STATUS"]))
        for e in recurring_ical_events.of(calendar).between(*window)
    )


def truth(bookings: list[BookingView]) -> list[tuple]:
    return sorted(
        (b.start.astimezone(UTC), b.end.astimezone(UTC), STATUS[b.status]) for b in bookings
    )


TUESDAYS = [date(2026, 9, 1) + timedelta(weeks=n) for n in range(40)]  # across the Oct switch


def test_series_becomes_one_recurring_event_with_exdate_and_overrides() -> None:
    series_id = uuid.uuid4()
    bookings = [booking(d, series_id=series_id) for d in TUESDAYS if d != TUESDAYS[3]]
    bookings[5] = booking(TUESDAYS[6], series_id=series_id, status="cancelled", version=2)
    bookings[8] = booking(TUESDAYS[9], series_id=series_id, hours=(19, 21), version=3)
    entries = booking_entries(
        bookings, [series(series_id, TUESDAYS[0], TUESDAYS[-1])], Audience.PUBLIC, now=NOW
    )
    assert [e.uid for e in entries] == [series_uid(series_id)]
    (master,) = entries
    assert master.recurrence is not None
    assert master.recurrence.exdates == (oslo(TUESDAYS[3], 18).astimezone(UTC),)
    assert [o.status for o in master.recurrence.overrides] == [
        EntryStatus.CANCELLED,
        EntryStatus.CONFIRMED,
    ]
    assert master.sequence == sum(b.version - 1 for b in bookings)
    assert expand(bookings, [series(series_id, TUESDAYS[0], TUESDAYS[-1])]) == truth(bookings)


def test_a_change_to_any_occurrence_raises_the_series_sequence() -> None:
    series_id = uuid.uuid4()
    known = [series(series_id, TUESDAYS[0], TUESDAYS[4])]
    bookings = [booking(d, series_id=series_id) for d in TUESDAYS[:5]]
    before = booking_entries(bookings, known, Audience.PUBLIC, now=NOW)[0]
    bookings[2] = booking(TUESDAYS[2], series_id=series_id, status="cancelled", version=2)
    after = booking_entries(bookings, known, Audience.PUBLIC, now=NOW)[0]
    assert after.sequence > before.sequence
    assert after.recurrence is not None
    assert all(o.sequence == after.sequence for o in after.recurrence.overrides)


def test_series_bookings_without_their_series_event_are_single_entries() -> None:
    series_id = uuid.uuid4()
    bookings = [booking(d, series_id=series_id) for d in TUESDAYS[:3]]
    entries = booking_entries(bookings, [], Audience.PUBLIC, now=NOW)
    assert sorted(e.uid for e in entries) == sorted(booking_uid(b.booking_id) for b in bookings)


def test_booking_off_the_weekly_grid_stays_a_single_entry() -> None:
    series_id = uuid.uuid4()
    bookings = [booking(d, series_id=series_id) for d in TUESDAYS[:4]]
    moved = booking(TUESDAYS[4] + timedelta(days=1), series_id=series_id)
    entries = booking_entries(
        [*bookings, moved], [series(series_id, TUESDAYS[0], TUESDAYS[3])], Audience.PUBLIC, now=NOW
    )
    assert [e.uid for e in entries] == [series_uid(series_id), booking_uid(moved.booking_id)]


@settings(max_examples=40, deadline=None)
@given(
    first=st.integers(0, 30),
    length=st.integers(1, 30),
    fates=st.lists(st.sampled_from(["keep", "skip", "cancel", "request", "move"]), max_size=30),
)
def test_any_series_expands_to_its_bookings(first: int, length: int, fates: list[str]) -> None:
    series_id = uuid.uuid4()
    days = TUESDAYS[first : first + length] or TUESDAYS[:1]
    bookings: list[BookingView] = []
    for number, day in enumerate(days):
        fate = fates[number] if number < len(fates) else "keep"
        if fate == "skip":
            continue
        status = {"cancel": "cancelled", "request": "requested"}.get(fate, "confirmed")
        hours = (17, 19) if fate == "move" else (18, 20)
        bookings.append(booking(day, series_id=series_id, status=status, hours=hours))
    known = [series(series_id, days[0], days[-1])]
    assert expand(bookings, known) == truth(bookings)


def test_public_entries_name_the_organisation_and_activity_only() -> None:
    (public,) = booking_entries([booking(TUESDAYS[1])], [], Audience.PUBLIC, now=NOW)
    (private,) = booking_entries([booking(TUESDAYS[1])], [], Audience.ORGANISATION, now=NOW)
    assert public.summary == "Skjetten IL – fotball"
    assert "Deltakere" not in public.description
    assert "Deltakere / participants: 20" in private.description


def test_cancelled_entries_stay_visible_for_a_while() -> None:
    soon = TUESDAYS[2]
    recent = booking(soon, status="cancelled", updated=NOW - timedelta(days=1))
    old = booking(soon + timedelta(days=1), status="cancelled", updated=NOW - CANCELLED_VISIBLE * 2)
    past = booking(NOW.date() - HISTORY - timedelta(days=2))
    entries = booking_entries([recent, old, past], [], Audience.PUBLIC, now=NOW)
    assert [e.uid for e in entries] == [booking_uid(recent.booking_id)]


def test_loans_are_all_day_pickup_and_return_events() -> None:
    loan = LoanView(
        loan_id=uuid.uuid4(),
        centre_name="BUA Lillestrøm",
        pickup_date=date(2027, 3, 26),
        return_date=date(2027, 3, 29),  # across the spring switch
        status="reserved",
        items=("Ski ×2", "Staver"),
        version=3,
        created_at=CREATED,
        updated_at=CREATED,
    )
    entries = loan_entries([loan], now=NOW)
    body = render_feed(INFO, entries, stamp=CREATED)
    events = Calendar.from_ical(body).walk("VEVENT")
    assert [(e.DTSTART, e.DTEND) for e in events] == [
        (date(2027, 3, 26), date(2027, 3, 27)),
        (date(2027, 3, 29), date(2027, 3, 30)),
    ]
    assert b"DTSTART;VALUE=DATE:20270326" in body
    cancelled = loan_entries([replace(loan, status="cancelled", updated_at=NOW)], now=NOW)
    assert {e.status for e in cancelled} == {EntryStatus.CANCELLED}
    assert {e.start.tzinfo for e in entries} == {OSLO}
