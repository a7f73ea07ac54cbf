"""Dates chosen by rule, so a test books the same kind of evening on every day of the year.

A "quiet" week has no Norwegian public holiday, lies outside Christmas–New Year and Easter
(whose holidays it avoids by the first rule) and contains no clock change.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from samspill.recurrence import OSLO, norwegian_public_holidays

_CHRISTMAS_TO_NEW_YEAR = ((12, 15), (1, 7))


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _is_quiet_week(monday: date) -> bool:
    days = [monday + timedelta(days=n) for n in range(7)]
    holidays = norwegian_public_holidays({day.year for day in days})
    switches = {_last_sunday(year, month) for year in {d.year for d in days} for month in (3, 10)}
    (start_month, start_day), (end_month, end_day) = _CHRISTMAS_TO_NEW_YEAR
    for day in days:
        if day in holidays or day in switches:
            return False
        if (day.month, day.day) >= (start_month, start_day):
            return False
        if (day.month, day.day) <= (end_month, end_day):
            return False
    return True


def quiet_day(
    weekday: int, *, after_days: int = 7, weeks: int = 1, today: date | None = None
) -> date:
    """The first `weekday` (0 = Monday) at least `after_days` from today that starts `weeks`
    consecutive quiet weeks."""
    first = (today or datetime.now(OSLO).date()) + timedelta(days=after_days)
    monday = first - timedelta(days=first.weekday())
    if monday + timedelta(days=weekday) < first:
        monday += timedelta(weeks=1)
    while not all(_is_quiet_week(monday + timedelta(weeks=n)) for n in range(weeks)):
        monday += timedelta(weeks=1)
    return monday + timedelta(days=weekday)
