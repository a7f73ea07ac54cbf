"""Dates for tests, chosen by rule so that every test means the same on every day of the year.

"Today + 7" sometimes lands on a public holiday (sites close and bookings are refused), in the
Christmas or Easter weeks, or beside a daylight-saving switch (local hours shift against UTC).
The functions here pick the next *ordinary* date on or after an offset instead: Monday to Friday
(or the weekday asked for), and none of those. A test about a calendar fact itself takes the
fact from `clock_changes` or `norwegian_public_holidays`, the rule the product uses.

"Today" is the Oslo date of the process clock, so running tests under `faketime` (see
`tests/calendar_check.py`) moves every choice along with it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from dateutil.easter import easter

from samspill.recurrence import OSLO, norwegian_public_holidays

# A week either side of a switch, so a test's week-long span around its date never crosses one.
CLOCK_CHANGE_MARGIN = timedelta(days=7)
# Winter and autumn holidays (ISO weeks), when the demo schools close.
SCHOOL_HOLIDAY_WEEKS = frozenset({8, 40})


def today() -> date:
    return datetime.now(OSLO).date()


def special(day: date) -> str | None:
    """Why `day` is not an ordinary date, or None when it is (weekdays aside)."""
    holiday = _holidays(day.year).get(day)
    if holiday is not None:
        return holiday
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3):
        return "Christmas and New Year"
    sunday = easter(day.year)
    if sunday - timedelta(days=8) <= day <= sunday + timedelta(days=1):
        return "Easter"
    if day.isocalendar().week in SCHOOL_HOLIDAY_WEEKS:
        return "school holiday week"
    if any(abs(day - switch) <= CLOCK_CHANGE_MARGIN for switch in clock_changes(day.year)):
        return "daylight-saving switch"
    return None


def ordinary_dates(
    after: int = 0, *, weekday: int | None = None, start: date | None = None
) -> Iterator[date]:
    """Every ordinary date from `after` days after `start` (default today) on, in order.

    Ordinary: Monday to Friday (only `weekday`, 0 = Monday, when given), and no public
    holiday, Christmas–New Year, Easter, school holiday week or week beside a clock change.
    """
    day = (start or today()) + timedelta(days=after)
    while True:
        wanted = day.weekday() == weekday if weekday is not None else day.weekday() < 5
        if wanted and special(day) is None:
            yield day
        day += timedelta(days=1)


def ordinary_day(after: int = 0, *, weekday: int | None = None, start: date | None = None) -> date:
    """The first ordinary date on or after `after` days from `start` (default today)."""
    return next(ordinary_dates(after, weekday=weekday, start=start))


def ordinary_days(
    count: int, after: int = 0, *, weekday: int | None = None, start: date | None = None
) -> list[date]:
    """The first `count` ordinary dates on or after `after` days from `start`."""
    dates = ordinary_dates(after, weekday=weekday, start=start)
    return [next(dates) for _ in range(count)]


def weekly_dates(
    weeks: int, after: int = 0, *, weekday: int | None = None, start: date | None = None
) -> list[date]:
    """`weeks` ordinary dates a week apart: a weekly series none of whose dates is skipped."""
    for first in ordinary_dates(after, weekday=weekday, start=start):
        dates = [first + timedelta(weeks=n) for n in range(weeks)]
        if all(special(day) is None for day in dates):
            return dates
    raise AssertionError("unreachable: ordinary_dates never ends")


def consecutive_dates(
    days: int, after: int = 0, *, weekday: int | None = None, start: date | None = None
) -> list[date]:
    """`days` dates in a row, none special, the first an ordinary date (on `weekday`)."""
    for first in ordinary_dates(after, weekday=weekday, start=start):
        dates = [first + timedelta(days=n) for n in range(days)]
        if all(special(day) is None for day in dates):
            return dates
    raise AssertionError("unreachable: ordinary_dates never ends")


@functools.cache
def clock_changes(year: int) -> tuple[date, ...]:
    """The days Oslo's clocks change in `year` (spring, autumn), from the time zone database."""
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    return tuple(day for day in days if _offset(day) != _offset(day - timedelta(days=1)))


def next_clock_change(
    after: int = 0, *, spring: bool | None = None, start: date | None = None
) -> date:
    """The first clock change on or after `after` days from `start` (default today); only
    spring (forward) or autumn (back) changes when `spring` says so."""
    earliest = (start or today()) + timedelta(days=after)
    for year in range(earliest.year, earliest.year + 2):
        for switch in clock_changes(year):
            forward = _offset(switch) > _offset(switch - timedelta(days=1))
            if switch >= earliest and spring in (None, forward):
                return switch
    raise AssertionError(f"no clock change in Oslo after {earliest}")


@functools.cache
def _holidays(year: int) -> dict[date, str]:
    return norwegian_public_holidays([year])


def _offset(day: date) -> timedelta:
    """Oslo's offset from UTC at noon on `day` (a switch happens in the small hours)."""
    return datetime.combine(day, time(12), OSLO).utcoffset() or timedelta(0)
