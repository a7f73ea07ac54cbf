"""The rule tests use to pick booking dates: quiet weeks only, from any day of the year."""

from __future__ import annotations

from datetime import date, timedelta

from samspill.recurrence import norwegian_public_holidays
from tests.quiet_dates import quiet_day


def last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def test_quiet_days_avoid_holidays_christmas_and_clock_changes_from_every_day() -> None:
    holidays = norwegian_public_holidays(range(2026, 2029))
    switches = {last_sunday(year, month) for year in range(2026, 2029) for month in (3, 10)}
    for offset in range(366 * 2):
        today = date(2026, 1, 1) + timedelta(days=offset)
        day = quiet_day(2, after_days=10, weeks=3, today=today)
        assert day.weekday() == 2
        assert today + timedelta(days=10) <= day < today + timedelta(days=120)
        monday = day - timedelta(days=2)
        weeks = [monday + timedelta(days=n) for n in range(21)]
        assert not holidays.keys() & set(weeks), (today, day)
        assert not switches & set(weeks), (today, day)
        assert not any((d.month, d.day) >= (12, 15) or (d.month, d.day) <= (1, 7) for d in weeks)
