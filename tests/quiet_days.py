"""Test dates chosen by rule: an ordinary weekday, away from holidays and clock changes.

Tests that book on real services must pass on every day of the year, so they never take
`today + N` blindly: a public holiday closes many sites, and the week of a daylight-saving
change makes wall-clock arithmetic differ by an hour.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from samspill.recurrence import OSLO, norwegian_public_holidays

_MIDWEEK = (1, 2, 3)  # Tuesday, Wednesday, Thursday
_CLEARANCE = timedelta(days=7)


def quiet_weekday(on_or_after: date) -> date:
    """The first Tuesday–Thursday from `on_or_after` that is no public holiday, lies outside
    Christmas and New Year (20 December – 6 January) and is at least a week from a
    daylight-saving change."""
    day = on_or_after
    while not _quiet(day):
        day += timedelta(days=1)
    return day


def _quiet(day: date) -> bool:
    if day.weekday() not in _MIDWEEK:
        return False
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 6):
        return False
    holidays = norwegian_public_holidays([day.year])
    if any(abs(day - holiday) <= timedelta(days=1) for holiday in holidays):
        return False
    return not _near_clock_change(day)


def _near_clock_change(day: date) -> bool:
    offsets = {
        _offset(day + timedelta(days=shift))
        for shift in range(-_CLEARANCE.days, _CLEARANCE.days + 1)
    }
    return len(offsets) > 1


def _offset(day: date) -> timedelta | None:
    return datetime.combine(day, time(12), OSLO).utcoffset()
