"""Local wall-clock rules (weekly windows, local days, Norwegian holidays) turned into instants.

Municipal rules are stated in Oslo wall-clock time ("Mon–Thu 17:00–22:00"); storage and
comparison use UTC instants. The daylight-saving switches are where the two disagree:
- spring forward (last Sunday of March): 02:00–03:00 does not exist; such a wall time moves
  forward to the first valid instant (03:00 summer time),
- fall back (last Sunday of October): 02:00–03:00 happens twice; such a wall time means the
  first (summer-time) instant.
This is the one rule for Samspill's own times (windows, bookings, series, reminders, messages).
`calendar_client_starts` says where an iCalendar client puts a weekly series instead, so that a
feed can mark where the two differ.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

import holidays

from samspill.intervals import Interval

__all__ = [
    "OSLO",
    "OSLO_TZID",
    "Weekday",
    "calendar_client_starts",
    "local_date",
    "local_dates",
    "local_interval",
    "norwegian_public_holidays",
    "resolve_local",
    "weekly_occurrences",
    "weekly_starts",
]

OSLO_TZID = "Europe/Oslo"
OSLO: ZoneInfo = ZoneInfo(OSLO_TZID)
MIDNIGHT = time(0, 0)


class Weekday(IntEnum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6

    @classmethod
    def parse(cls, text: str) -> Weekday:
        """Accept English or Norwegian names, full or abbreviated: "monday", "mandag", "mon"."""
        key = text.strip().lower().rstrip(".")
        try:
            return _WEEKDAY_NAMES[key]
        except KeyError:
            raise ValueError(f"unknown weekday: {text!r}") from None

    @property
    def name_nb(self) -> str:
        return _NORWEGIAN_NAMES[self.value]


_NORWEGIAN_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_NORWEGIAN_ASCII = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lordag", "sondag")


def _weekday_names() -> dict[str, Weekday]:
    names: dict[str, Weekday] = {}
    for day in Weekday:
        english = day.name.lower()
        for name in (english, _NORWEGIAN_NAMES[day], _NORWEGIAN_ASCII[day]):
            names[name] = day
            names[name[:3]] = day
    return names


_WEEKDAY_NAMES = _weekday_names()


def resolve_local(day: date, wall: time, tz: ZoneInfo = OSLO) -> datetime:
    """The UTC instant of a local wall time on `day`, with the DST rules of this module."""
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=tz)
    if _exists(local):
        return local.astimezone(UTC)
    return _end_of_gap(local)


def _exists(local: datetime) -> bool:
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def _end_of_gap(local: datetime) -> datetime:
    """The first instant after the spring-forward gap that contains `local`."""
    # In a gap, fold=1 applies the offset after the switch (an instant before it) and fold=0
    # the offset before (an instant after it); the switch lies between. Offsets change on
    # whole seconds, so bisect on seconds.
    tz = local.tzinfo
    low = math.floor(local.replace(fold=1).timestamp())
    high = math.ceil(local.replace(fold=0).timestamp())
    offset_before = datetime.fromtimestamp(low, tz).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def local_interval(day: date, start: time, end: time, tz: ZoneInfo = OSLO) -> Interval:
    """Wall-clock `start`–`end` on local `day`, in UTC; `end == 00:00` is midnight ending the day.

    Raises ValueError when the end is not after the start, also when both fall in the same
    spring-forward gap and so name the same instant.
    """
    if end == MIDNIGHT:
        end_instant = resolve_local(day + timedelta(days=1), MIDNIGHT, tz)
    elif end <= start:
        raise ValueError(f"end {end} must be after start {start}")
    else:
        end_instant = resolve_local(day, end, tz)
    return Interval(resolve_local(day, start, tz), end_instant)


def local_date(instant: datetime, tz: ZoneInfo = OSLO) -> date:
    return instant.astimezone(tz).date()


def local_dates(within: Interval, tz: ZoneInfo = OSLO) -> list[date]:
    """Local dates the half-open interval touches (an end at local midnight adds no date)."""
    first = local_date(within.start, tz)
    last = local_date(within.end - timedelta(microseconds=1), tz)
    return list(_date_range(first, last))


def _date_range(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def weekly_occurrences(
    weekdays: Collection[int],
    start: time,
    end: time,
    valid_from: date,
    valid_to: date,
    within: Interval | None = None,
    except_dates: Collection[date] = (),
    tz: ZoneInfo = OSLO,
) -> list[Interval]:
    """Each local date in [valid_from, valid_to] on one of `weekdays`, not excepted, as an interval.

    With `within`, only occurrences overlapping it are returned (whole, not clipped). A date on
    which the wall times name no time at all (both inside the spring-forward gap) is skipped.
    """
    if end != MIDNIGHT and end <= start:
        raise ValueError(f"end {end} must be after start {start}")
    first, last = valid_from, valid_to
    if within is not None:
        first = max(first, local_date(within.start, tz))
        last = min(last, local_date(within.end, tz))
    days = set(weekdays)
    excepted = set(except_dates)
    occurrences: list[Interval] = []
    for day in _date_range(first, last):
        if day.weekday() not in days or day in excepted:
            continue
        occurrence = _occurrence(day, start, end, tz)
        if occurrence is not None and (within is None or occurrence.overlaps(within)):
            occurrences.append(occurrence)
    return occurrences


def _occurrence(day: date, start: time, end: time, tz: ZoneInfo) -> Interval | None:
    try:
        return local_interval(day, start, end, tz)
    except ValueError:
        return None


def weekly_starts(
    first_start: datetime, until: datetime, tz: ZoneInfo = OSLO
) -> tuple[datetime, ...]:
    """Starts (UTC) of a weekly series that keeps the wall time of `first_start`, `until`
    inclusive, by this module's rule (a time in the spring gap moves to its end)."""
    local = first_start.astimezone(tz)
    last = until.astimezone(UTC)
    starts: list[datetime] = []
    day = local.date()
    while (start := resolve_local(day, local.time(), tz)) <= last:
        starts.append(start)
        day += timedelta(weeks=1)
    return tuple(starts)


def calendar_client_starts(
    first_start: datetime, until: datetime, tz: ZoneInfo = OSLO
) -> tuple[datetime, ...]:
    """Starts (UTC) of `RRULE:FREQ=WEEKLY` from `first_start` as a calendar client expands it.

    Not Samspill's rule: RFC 5545 (3.3.5) and PEP 495 read a wall time in the spring-forward
    gap with the offset before the gap (02:30 becomes 03:30 summer time), where
    `resolve_local` moves it to the end of the gap (03:00), and ical.js uses the offset after
    it (01:30). A feed therefore writes a weekly series only where these starts and
    `weekly_starts` agree.
    """
    wall = first_start.astimezone(tz).replace(tzinfo=None)
    last = until.astimezone(UTC)
    starts: list[datetime] = []
    while (start := wall.replace(tzinfo=tz).astimezone(UTC)) <= last:
        starts.append(start)
        wall += timedelta(weeks=1)
    return tuple(starts)


def norwegian_public_holidays(years: Iterable[int]) -> dict[date, str]:
    """Norwegian public holidays ("helligdager") by date, names in bokmål; Sundays excluded."""
    calendar = holidays.country_holidays("NO", years=list(years), language="no")
    return {day: str(name) for day, name in sorted(calendar.items())}
