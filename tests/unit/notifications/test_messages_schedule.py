"""Reminder times and the free slots offered after a closure (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.config import NotificationsSettings
from notifications.domain.messages import Channel, Language, MessageKind, render_message
from notifications.domain.schedule import SpaceEvening, free_slots, reminder_due
from samspill.availability import WindowView
from samspill.booking_rules import BookingRules
from samspill.intervals import Interval

from .feed_builders import OSLO, oslo

TUESDAY = date(2027, 3, 30)


RULES = BookingRules(min_minutes=60, granularity_minutes=30)


def window(**overrides: object) -> WindowView:
    values: dict[str, object] = {
        "kind": "weekly",
        "weekdays": (1,),
        "start": time(17),
        "end": time(22),
        "valid_from": date(2027, 1, 1),
        "valid_to": date(2027, 6, 30),
    }
    view = WindowView.released("w", "s", **{**values, **overrides})  # type: ignore[arg-type]
    assert view is not None
    return view


def test_reminder_goes_out_at_the_set_time_the_day_before() -> None:
    now = datetime(2027, 3, 20, 12, tzinfo=UTC)
    assert reminder_due(TUESDAY, time(10), now=now) == oslo(TUESDAY - timedelta(days=1), 10)


def test_reminder_scheduled_late_on_the_day_before_goes_out_at_once() -> None:
    now = oslo(TUESDAY - timedelta(days=1), 21)
    assert reminder_due(TUESDAY, time(10), now=now) == now


def test_no_reminder_when_tomorrow_has_passed() -> None:
    assert reminder_due(TUESDAY, time(10), now=oslo(TUESDAY, 8)) is None


def test_reminder_day_before_the_spring_switch_keeps_oslo_time() -> None:
    due = reminder_due(date(2027, 3, 29), time(10), now=datetime(2027, 3, 1, tzinfo=UTC))
    assert due == datetime(2027, 3, 28, 8, tzinfo=UTC)  # 10:00 CEST


@given(
    day=st.dates(date(2026, 1, 2), date(2030, 12, 31)),
    at=st.times(),
    offset_hours=st.integers(-72, 72),
)
def test_reminder_is_never_after_the_day_nor_before_now(
    day: date, at: time, offset_hours: int
) -> None:
    now = datetime.combine(day, time(12), OSLO) + timedelta(hours=offset_hours)
    due = reminder_due(day, at, now=now)
    if due is not None:
        assert due >= now
        assert due.astimezone(OSLO).date() == day - timedelta(days=1)


def test_free_slots_skip_bookings_closures_and_the_past() -> None:
    gym = SpaceEvening(
        "Gymsal", RULES, (window(),), (Interval(oslo(TUESDAY, 17), oslo(TUESDAY, 22)),)
    )
    hall = SpaceEvening(
        "Aula",
        RULES,
        (window(),),
        booked=(
            Interval(oslo(TUESDAY, 18), oslo(TUESDAY, 19)),
            Interval(oslo(TUESDAY, 21, 30), oslo(TUESDAY, 23)),
        ),
    )
    slots = free_slots([gym, hall], TUESDAY, now=oslo(TUESDAY, 17, 30))
    assert [(s.space, s.start, s.end) for s in slots] == [
        ("Aula", oslo(TUESDAY, 19), oslo(TUESDAY, 21, 30)),
    ]


def test_free_slots_follow_the_grid_the_buffer_and_the_horizon() -> None:
    rules = BookingRules(min_minutes=60, granularity_minutes=60, buffer_minutes=15, horizon_days=7)
    booked = (Interval(oslo(TUESDAY, 18), oslo(TUESDAY, 19)),)
    hall = SpaceEvening("Aula", rules, (window(),), booked=booked)
    # Now is 17:10: the grid starts the evening at 18:00, too late before the booking; the
    # buffer keeps 19:00–19:15 free, so the grid's next hour is 20:00.
    slots = free_slots([hall], TUESDAY, now=oslo(TUESDAY, 17, 10))
    assert [(s.start, s.end) for s in slots] == [(oslo(TUESDAY, 20), oslo(TUESDAY, 22))]
    # Beyond the horizon nothing is offered.
    assert free_slots([hall], TUESDAY, now=oslo(TUESDAY - timedelta(days=8), 12)) == []


def test_withdrawn_and_one_off_windows() -> None:
    withdrawn = window(withdrawn_dates=(TUESDAY,))
    one_off = window(
        kind="one_off",
        weekdays=(),
        valid_from=TUESDAY,
        valid_to=TUESDAY,
        start=time(20),
        end=time(21),
    )
    spaces = [SpaceEvening("Gymsal", RULES, (withdrawn,)), SpaceEvening("Aula", RULES, (one_off,))]
    slots = free_slots(spaces, TUESDAY, now=oslo(TUESDAY, 8))
    assert [(s.space, s.start) for s in slots] == [("Aula", oslo(TUESDAY, 20))]


def test_cancellation_by_closure_lists_the_free_slots() -> None:
    slots = free_slots(
        [
            SpaceEvening(
                "Aula", RULES, (window(),), (Interval(oslo(TUESDAY, 17), oslo(TUESDAY, 18)),)
            )
        ],
        TUESDAY,
        now=oslo(TUESDAY, 8),
    )
    text = render_message(
        MessageKind.BOOKING_CANCELLED,
        Language.NB,
        Channel.EMAIL,
        {
            "organisation": "Skjetten IL",
            "site": "Skjetten skole",
            "space": "Gymsal",
            "start": oslo(TUESDAY, 18),
            "end": oslo(TUESDAY, 20),
            "reason": "closure",
            "closure_note": "Foreldremøte",
            "free_slots": slots,
        },
    )
    assert "Ledige tider samme kveld: Aula 18:00–22:00." in text.body


def test_loan_messages_name_the_day_when_only_the_day_is_known() -> None:
    text = render_message(
        MessageKind.LOAN_RESERVED,
        Language.NB,
        Channel.EMAIL,
        {"centre": "BUA", "items": ["ski"], "pickup": TUESDAY, "due": date(2027, 4, 6)},
    )
    assert "Hent tirsdag 30. mars, lever tirsdag 6. april." in text.body
    english = render_message(
        MessageKind.LOAN_OVERDUE,
        Language.EN,
        Channel.SMS,
        {"centre": "BUA", "items": ["skis"], "due": date(2027, 4, 6)},
    )
    assert "due back at BUA on Tuesday 6 April" in english.body


def test_series_confirmation_tells_the_number_of_weeks() -> None:
    text = render_message(
        MessageKind.BOOKING_CONFIRMED,
        Language.EN,
        Channel.EMAIL,
        {
            "organisation": "Skjetten IL",
            "site": "Skjetten skole",
            "space": "Gymsal",
            "start": oslo(TUESDAY, 18),
            "end": oslo(TUESDAY, 20),
            "occurrences": 30,
        },
    )
    assert "18:00–20:00, weekly, 30 times" in text.body


def test_feed_urls_stay_under_google_limit() -> None:
    longest = "https://" + "a" * (255 - len("/feeds/organisations/") - 43 - len(".ics") - 8)
    assert NotificationsSettings(public_base_url=longest).public_base_url == longest
    with pytest.raises(ValueError, match="256"):
        NotificationsSettings(public_base_url=longest + "a")
