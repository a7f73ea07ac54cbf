"""The demo data's release windows are valid whatever day `seed-demo` (and `make dev`) runs."""

from __future__ import annotations

from datetime import date, time, timedelta

from facilities.demo.loader import window_bodies
from facilities.domain.windows import WeeklyWindow
from samspill.errors import RuleViolation

# Every day of three years, so each term's last days (a week without a weekend) come by.
TODAYS = [date(2026, 11, 30) + timedelta(days=n) for n in range(3 * 366)]


def test_every_demo_window_is_valid_on_every_day() -> None:
    refused = []
    for today in TODAYS:
        for body in window_bodies(today):
            window = WeeklyWindow(
                frozenset(body["weekdays"]),
                time.fromisoformat(body["start_time"]),
                time.fromisoformat(body["end_time"]),
                date.fromisoformat(body["valid_from"]),
                date.fromisoformat(body["valid_to"]),
            )
            try:
                window.validate(today)
            except RuleViolation as refusal:
                refused.append(f"{today}: {body['weekdays']} {refusal}")
    assert not refused, refused[:5]


def test_a_full_term_gets_weekday_evenings_and_weekends() -> None:
    bodies = window_bodies(date(2027, 9, 1))
    assert [(b["weekdays"], b["valid_from"], b["valid_to"]) for b in bodies] == [
        ([0, 1, 2, 3, 4], "2027-09-01", "2027-12-18"),
        ([5, 6], "2027-09-01", "2027-12-18"),
        ([0, 1, 2, 3, 4], "2028-01-04", "2028-06-18"),
        ([5, 6], "2028-01-04", "2028-06-18"),
    ]
