"""The test suite's date rule: for any "today", the chosen dates avoid every special day."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from samspill.recurrence import norwegian_public_holidays
from tests.dates import (
    clock_changes,
    consecutive_dates,
    next_clock_change,
    ordinary_day,
    ordinary_days,
    special,
    weekly_dates,
)

pytestmark = pytest.mark.calendar

# Every day of three years as "today", a leap day included.
TODAYS = [date(2026, 11, 30) + timedelta(days=n) for n in range(3 * 366)]


def test_clock_changes_are_the_last_sundays_of_march_and_october() -> None:
    assert clock_changes(2026) == (date(2026, 3, 29), date(2026, 10, 25))
    assert clock_changes(2027) == (date(2027, 3, 28), date(2027, 10, 31))
    assert next_clock_change(start=date(2027, 3, 29)) == date(2027, 10, 31)
    assert next_clock_change(spring=True, start=date(2027, 3, 29)) == date(2028, 3, 26)
    assert next_clock_change(30, spring=False, start=date(2027, 10, 1)) == date(2027, 10, 31)
    assert next_clock_change(31, spring=False, start=date(2027, 10, 1)) == date(2028, 10, 29)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 12, 25), "Første juledag"),
        (date(2026, 12, 21), "Christmas and New Year"),
        (date(2027, 1, 1), "Første nyttårsdag"),
        (date(2027, 1, 3), "Christmas and New Year"),
        (date(2027, 3, 22), "Easter"),
        (date(2027, 3, 25), "Skjærtorsdag"),
        (date(2027, 5, 6), "Kristi himmelfartsdag"),
        (date(2027, 5, 17), "Andre pinsedag; Grunnlovsdag"),
        (date(2027, 2, 24), "school holiday week"),
        (date(2027, 10, 27), "daylight-saving switch"),
        (date(2027, 11, 5), "daylight-saving switch"),
        (date(2027, 11, 8), None),
        (date(2027, 6, 15), None),
    ],
)
def test_special_days_say_why(day: date, why: str | None) -> None:
    assert special(day) == why


def test_chosen_dates_are_ordinary_for_every_today() -> None:
    problems = [problem for today in TODAYS for problem in _problems(today)]
    assert not problems, problems[:10]


def _problems(today: date) -> list[str]:
    """What is wrong with the dates the tests would choose on `today`."""
    holidays = norwegian_public_holidays([today.year, today.year + 1])
    single = ordinary_day(7, start=today)
    tuesday = ordinary_day(14, weekday=1, start=today)
    many = ordinary_days(12, 10, start=today)
    series = weekly_dates(4, 14, start=today)
    run = consecutive_dates(3, 7, weekday=0, start=today)
    chosen = [single, tuesday, *many, *series, *run]
    checks = {
        "a holiday or special day": not [d for d in chosen if d in holidays or special(d)],
        # A week around a date never crosses a clock change.
        "beside a clock change": all(
            abs(d - switch) > timedelta(days=7) for d in chosen for switch in clock_changes(d.year)
        ),
        "before the offset": min(chosen) >= today + timedelta(days=7),
        # Within the default booking horizon (180 days) with room to spare.
        "too far ahead": max(chosen) <= today + timedelta(days=120),
        "a wrong weekday": tuesday.weekday() == 1 and run[0].weekday() == 0,
        "a weekend": all(d.weekday() < 5 for d in (single, *many)),
        "not weekly": [b - a for a, b in pairwise(series)] == [timedelta(weeks=1)] * 3,
        "not in a row": [b - a for a, b in pairwise(run)] == [timedelta(days=1)] * 2,
        "repeated": len(set(many)) == len(many),
    }
    return [f"{today}: {what}" for what, fine in checks.items() if not fine]
