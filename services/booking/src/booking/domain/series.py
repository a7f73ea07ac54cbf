"""Weekly series: one booking per week for a season, skipping the dates that cannot be had."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from booking.domain.bookings import (
    check_horizon,
    check_rules,
    find_closure,
    find_conflict,
    is_in_window,
)
from booking.domain.views import (
    BookerKind,
    BusyInterval,
    ClosureView,
    SpaceView,
    WindowView,
    booked_space_name,
)
from samspill.errors import RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import OSLO, Weekday, local_date, resolve_local, weekly_occurrences

__all__ = ["SeriesPlan", "SkipReason", "SkippedOccurrence", "check_series", "plan_series"]

_MIDNIGHT = time(0, 0)


class SkipReason(StrEnum):
    IN_PAST = "in_past"
    HOLIDAY = "holiday"
    CLOSURE = "closure"
    OUTSIDE_WINDOW = "outside_window"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class SkippedOccurrence:
    date: date
    reason: SkipReason
    detail: str
    detail_nb: str


@dataclass(frozen=True)
class SeriesPlan:
    created: list[Interval] = field(default_factory=list)
    skipped: list[SkippedOccurrence] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    space: SpaceView
    windows: Sequence[WindowView]
    closures: Sequence[ClosureView]
    holidays: Mapping[date, str]
    busy: Sequence[BusyInterval]
    now: datetime
    closed_on_holidays: bool


def plan_series(
    space: SpaceView,
    weekday: int | None,
    start: time,
    end: time,
    first_date: date,
    last_date: date,
    windows: Iterable[WindowView],
    closures: Iterable[ClosureView],
    holidays: Mapping[date, str],
    busy: Iterable[BusyInterval],
    now: datetime,
    *,
    participants: int = 1,
    closed_on_holidays: bool = True,
    booker: BookerKind = BookerKind.ORGANISATION,
) -> SeriesPlan:
    """Split the weekly occurrences into those that can be booked and those skipped, with why.

    Rules that hold for the whole series (dates, times, length, grid, capacity, the horizon
    for the last date) raise RuleViolation; `end == 00:00` means midnight ending the day.
    Pass `holidays` from `samspill.recurrence.norwegian_public_holidays`.
    """
    day = check_series(space, weekday, start, end, first_date, last_date, now)
    occurrences = weekly_occurrences([day], start, end, first_date, last_date)
    if not occurrences:
        raise RuleViolation(
            "The series has no dates between its first and last date.",
            "Serien har ingen datoer mellom første og siste dato.",
        )
    _check_whole_series(space, occurrences, now, participants, booker)
    context = _Context(
        space, list(windows), list(closures), holidays, list(busy), now, closed_on_holidays
    )
    plan = SeriesPlan()
    for occurrence in occurrences:
        skip = _skip_reason(context, occurrence)
        if skip is None:
            plan.created.append(occurrence)
        else:
            plan.skipped.append(skip)
    return plan


def check_series(
    space: SpaceView,
    weekday: int | None,
    start: time,
    end: time,
    first_date: date,
    last_date: date,
    now: datetime,
) -> Weekday:
    """What refuses a series as a whole, checked before any week is planned: its shape, and
    its last occurrence against the horizon (every earlier one is then within it too)."""
    day = _check_series_shape(weekday, start, end, first_date, last_date)
    last = last_date - timedelta(days=(last_date.weekday() - day) % 7)
    if last >= first_date:
        check_horizon(space.rules, resolve_local(last, start), now)
    return day


def _check_series_shape(
    weekday: int | None, start: time, end: time, first_date: date, last_date: date
) -> Weekday:
    if weekday is None or not 0 <= weekday <= 6:
        raise RuleViolation(
            "A weekly series needs a weekday (0 = Monday … 6 = Sunday).",
            "En ukentlig serie må ha en ukedag (0 = mandag … 6 = søndag).",
        )
    if end != _MIDNIGHT and end <= start:
        raise RuleViolation(
            "The end time must be after the start time.",
            "Sluttidspunktet må være etter starttidspunktet.",
        )
    if last_date < first_date:
        raise RuleViolation(
            "The last date must not be before the first date.",
            "Siste dato kan ikke være før første dato.",
        )
    return Weekday(weekday)


def _check_whole_series(
    space: SpaceView,
    occurrences: Sequence[Interval],
    now: datetime,
    participants: int,
    booker: BookerKind,
) -> None:
    """Rules of the space on a future occurrence; past occurrences are skipped, not refused."""
    upcoming = [occurrence for occurrence in occurrences if occurrence.start >= now]
    if not upcoming:
        raise RuleViolation(
            "Every date of the series is in the past.",
            "Alle datoene i serien er passert.",
        )
    for occurrence in upcoming:
        check_rules(space, occurrence, now, participants, booker)


def _skip_reason(context: _Context, occurrence: Interval) -> SkippedOccurrence | None:
    day = local_date(occurrence.start, OSLO)
    if occurrence.start < context.now:
        return SkippedOccurrence(
            day, SkipReason.IN_PAST, "The date has passed.", "Datoen er passert."
        )
    holiday = context.holidays.get(day)
    if holiday is not None and context.closed_on_holidays:
        return SkippedOccurrence(
            day, SkipReason.HOLIDAY, f"Public holiday: {holiday}.", f"Helligdag: {holiday}."
        )
    return _skip_for_space(context, day, occurrence)


def _skip_for_space(context: _Context, day: date, occurrence: Interval) -> SkippedOccurrence | None:
    space = context.space
    closure = find_closure(space, occurrence, context.closures)
    if closure is not None:
        return SkippedOccurrence(
            day,
            SkipReason.CLOSURE,
            f"{space.name} is closed ({closure.reason}).",
            f"{space.name} er stengt ({closure.reason}).",
        )
    if not is_in_window(space, occurrence, context.windows):
        return SkippedOccurrence(
            day,
            SkipReason.OUTSIDE_WINDOW,
            f"{space.name} is not released at this time.",
            f"{space.name} er ikke frigitt på dette tidspunktet.",
        )
    conflict = find_conflict(space, occurrence, context.busy)
    if conflict is not None:
        return _conflict_skip(booked_space_name(space, conflict), day, conflict.interval)
    return None


def _conflict_skip(booked: str, day: date, interval: Interval) -> SkippedOccurrence:
    start, end = interval.start.astimezone(OSLO), interval.end.astimezone(OSLO)
    return SkippedOccurrence(
        day,
        SkipReason.CONFLICT,
        f"{booked} is already booked {start:%H:%M}–{end:%H:%M}.",
        f"{booked} er allerede booket kl. {start:%H:%M}–{end:%H:%M}.",
    )
