"""Rules of "find a free hall": reading the search form, the default day, and the week grid.

Pure: no HTTP, no templates. A refused input raises `HallInputError` with a code the page
turns into a sentence in the visitor's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from samspill.intervals import Interval, intersect, merge, subtract
from samspill.pricing import BookerCategory, PriceRule, SpaceKind, select_rule
from samspill.recurrence import OSLO, norwegian_public_holidays, resolve_local

GRID_DAYS = 7
# Halls are usually booked at most about half a year ahead (the spaces' default horizon).
SEARCH_DAYS_AHEAD = 180
EVENING = (17, 22)
MAX_SIZE = 100_000
# What the sites' accessibility record holds, in the order a visitor meets them.
ACCESSIBILITY_FACTS = (
    "step_free_entrance",
    "accessible_toilet",
    "hearing_loop",
    "parking",
    "transit_stop",
)


class HallInputError(ValueError):
    """A search field that could not be used: `field` is the form field, `code` why."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


# --- the day ----------------------------------------------------------------------------------


def is_ordinary_day(day: date) -> bool:
    """Monday to Friday and no public holiday: a day the schools lend their halls in the
    evening."""
    return day.weekday() < 5 and day not in norwegian_public_holidays([day.year])


def default_day(now: datetime) -> date:
    """The next ordinary evening from `now` in Oslo: today if the evening has not begun."""
    local = now.astimezone(OSLO)
    day = local.date()
    if local.time() >= time(EVENING[0]) or not is_ordinary_day(day):
        day += timedelta(days=1)
        while not is_ordinary_day(day):
            day += timedelta(days=1)
    return day


_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$")


def parse_day(text: str | None, today: date) -> date | None:
    """The day asked for: ISO (2027-03-09, as a date field sends it) or Norwegian (9.3.2027,
    09.03.27, 9.3 for the next such date); None when the field was left empty."""
    value = (text or "").strip()
    if not value:
        return None
    day = _read_day(value, today)
    if day is None:
        raise HallInputError("dato", "not_a_date")
    if day < today:
        raise HallInputError("dato", "past")
    if day > today + timedelta(days=SEARCH_DAYS_AHEAD):
        raise HallInputError("dato", "too_far")
    return day


def _read_day(value: str, today: date) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    found = _NUMERIC_DATE.match(value)
    if found is None:
        return None
    day_text, month_text, year_text = found.groups()
    try:
        if year_text is None:
            day = date(today.year, int(month_text), int(day_text))
            return day if day >= today else date(today.year + 1, day.month, day.day)
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return date(year, int(month_text), int(day_text))
    except ValueError:
        return None


# --- the hours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """Whole local hours [start, end) of a day; end 24 is midnight."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 24:
            raise ValueError(f"hours {self.start}–{self.end} are not a span of a day")

    @property
    def each(self) -> range:
        return range(self.start, self.end)

    def on(self, day: date) -> Interval | None:
        """The span on `day` as instants (None if the clock change swallows it)."""
        start, end = _hour_start(day, self.start), _hour_start(day, self.end)
        return Interval(start, end) if start < end else None


EVENING_HOURS = Hours(*EVENING)


def _hour_start(day: date, hour: int) -> datetime:
    if hour == 24:
        return resolve_local(day + timedelta(days=1), time(0))
    return resolve_local(day, time(hour))


def parse_hour(text: str | None, field: str, default: int) -> int:
    """ "17", "17:00" or "1700" → 17; only whole hours 0–24."""
    value = (text or "").strip()
    if not value:
        return default
    found = re.fullmatch(r"(\d{1,2})(?:[:.]?(00))?", value)
    if found is None or int(found.group(1)) > 24:
        raise HallInputError(field, "not_an_hour")
    return int(found.group(1))


def parse_hours(start_text: str | None, end_text: str | None) -> Hours:
    """The time of day from the form's from/to hours (default the evening, 17–22)."""
    start = parse_hour(start_text, "fra", EVENING[0])
    end = parse_hour(end_text, "til", EVENING[1])
    if start >= 24:
        raise HallInputError("fra", "not_an_hour")
    if end == 0:
        end = 24
    if end <= start:
        raise HallInputError("til", "end_before_start")
    return Hours(start, end)


def parse_size(text: str | None) -> int | None:
    """The smallest number of people the hall must hold; None when empty."""
    value = (text or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,6}", value) or not 1 <= int(value) <= MAX_SIZE:
        raise HallInputError("storrelse", "not_a_size")
    return int(value)


def parse_choice(text: str | None, field: str, known: Iterable[str]) -> str | None:
    """One of `known` (or None when empty); anything else is refused, not ignored."""
    value = (text or "").strip()
    if not value:
        return None
    if value not in set(known):
        raise HallInputError(field, "unknown")
    return value


# --- the week grid ----------------------------------------------------------------------------


class HourState(StrEnum):
    FREE = "free"
    BOOKED = "booked"
    CLOSED = "closed"
    NOT_RELEASED = "not_released"
    PAST = "past"


@dataclass(frozen=True)
class Cell:
    hour: int
    state: HourState


@dataclass(frozen=True)
class GridDay:
    day: date
    cells: tuple[Cell, ...]


def week_days(first: date, days: int = GRID_DAYS) -> list[date]:
    return [first + timedelta(days=n) for n in range(days)]


def hour_state(
    cell: Interval,
    released: Sequence[Interval],
    closed: Sequence[Interval],
    free: Sequence[Interval],
    now: datetime,
) -> HourState:
    """One hour's state: begun → past; any closure → closed; no window → not released; all of
    its released time free → free; otherwise (some of it held) booked."""
    if cell.start < now:
        return HourState.PAST
    if intersect(closed, [cell]):
        return HourState.CLOSED
    open_part = intersect(released, [cell])
    if not open_part:
        return HourState.NOT_RELEASED
    if not subtract(open_part, free):
        return HourState.FREE
    return HourState.BOOKED


def week_grid(
    days: Sequence[date],
    hours: Hours,
    released: Iterable[Interval],
    closed: Iterable[Interval],
    free: Iterable[Interval],
    now: datetime,
) -> list[GridDay]:
    """Each day × each hour in exactly one state (an hour the clock change skips is left out).
    Intervals are clipped to each day's hours, so one running past midnight counts only where
    it lies."""
    released, closed, free = merge(released), merge(closed), merge(free)
    grid = []
    for day in days:
        span = hours.on(day)
        day_released = intersect(released, [span]) if span else []
        day_closed = intersect(closed, [span]) if span else []
        day_free = intersect(free, [span]) if span else []
        cells = []
        for hour in hours.each:
            start, end = _hour_start(day, hour), _hour_start(day, hour + 1)
            if start >= end:
                continue
            state = hour_state(Interval(start, end), day_released, day_closed, day_free, now)
            cells.append(Cell(hour, state))
        grid.append(GridDay(day, tuple(cells)))
    return grid


def free_on(day: date, hours: Hours, free: Iterable[Interval]) -> list[Interval]:
    """The free stretches of `day` within `hours`, clipped to them."""
    span = hours.on(day)
    return intersect(merge(free), [span]) if span else []


def released_hours(released: Iterable[Interval], fallback: Hours = EVENING_HOURS) -> Hours:
    """The whole local hours that cover every released stretch (for a hall's own grid)."""
    stretches = list(released)
    if not stretches:
        return fallback
    starts = [s.start.astimezone(OSLO) for s in stretches]
    ends = [s.end.astimezone(OSLO) for s in stretches]
    start = min(moment.hour for moment in starts)
    end = max(_hour_ceiling(moment, begin) for moment, begin in zip(ends, starts, strict=True))
    return Hours(start, max(end, start + 1))


def _hour_ceiling(end: datetime, start: datetime) -> int:
    if end.date() > start.date():
        return 24
    return end.hour + (1 if end.minute or end.second else 0)


# --- prices and calendar links ----------------------------------------------------------------


@dataclass(frozen=True)
class PriceLine:
    """What a booker category pays for the space per hour (øre), and whether it is free."""

    category: BookerCategory
    hourly_ore: int
    evening_ore: int | None
    weekend_ore: int | None
    evening_from: time
    free: bool


def price_lines(space_id: str, space_kind: str, rules: Iterable[PriceRule]) -> list[PriceLine]:
    """Per category the most specific rule (space, kind, default); children and youth are free
    by the free principle unless a rule sets a price for them."""
    try:
        kind = SpaceKind(space_kind)
    except ValueError:
        kind = SpaceKind.OTHER
    rules = list(rules)
    lines = []
    for category in BookerCategory:
        rule = select_rule(space_id, kind, category, rules)
        if rule is None:
            if category is BookerCategory.CHILDREN_YOUTH:
                lines.append(PriceLine(category, 0, None, None, time(17), free=True))
            continue
        lines.append(
            PriceLine(
                category,
                rule.hourly_rate_ore,
                rule.evening_rate_ore,
                rule.weekend_rate_ore,
                rule.evening_from,
                free=rule.is_free,
            )
        )
    return lines
