"""Weekly time of a seasonal round outside the solver: a hall's free weekly time, minutes of
the week for the no-double-allocation constraint, the words an allocated time is explained
with, a section's outcome after staff changed its times, and which freed time fits a waiting
section."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from booking.domain.allocation import Outcome, Section, WeeklyTime
from samspill.errors import RuleViolation
from samspill.recurrence import Weekday

__all__ = [
    "ReleasedWeekly",
    "changed_outcome",
    "clock",
    "fitting_time",
    "free_weekly_time",
    "minutes",
    "time_explanation",
    "week_range",
    "weekly_text",
]

MINUTES_PER_DAY = 24 * 60
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ReleasedWeekly:
    """A release window of a space, as weekly time between two dates."""

    weekdays: frozenset[int]
    start: time
    end: time  # 00:00 = midnight ending the day
    valid_from: date
    valid_to: date


def minutes(text: str) -> int:
    """Minutes from midnight of "HH:MM" ("24:00" and "00:00" as an end are both midnight)."""
    try:
        hours, mins = (int(part) for part in text.split(":"))
    except ValueError as exc:
        raise RuleViolation(
            f"Not a time of day: {text!r} (HH:MM).", f"Ikke et klokkeslett: {text!r} (TT:MM)."
        ) from exc
    if not (0 <= hours <= 24 and 0 <= mins < 60) or hours * 60 + mins > MINUTES_PER_DAY:
        raise RuleViolation(
            f"Not a time of day: {text!r} (HH:MM).", f"Ikke et klokkeslett: {text!r} (TT:MM)."
        )
    return hours * 60 + mins


def clock(minute: int) -> str:
    """ "HH:MM" of minutes from midnight; midnight ending the day is "24:00"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _of_time(value: time, *, end: bool = False) -> int:
    minute = value.hour * 60 + value.minute
    return MINUTES_PER_DAY if end and minute == 0 else minute


def week_range(weekly: WeeklyTime) -> tuple[int, int]:
    """The time as minutes of the week (Monday 00:00 = 0), half-open."""
    base = weekly.weekday * MINUTES_PER_DAY
    return base + weekly.start, base + weekly.end


def weekly_text(weekly: WeeklyTime) -> tuple[str, str]:
    """ "Tuesday 18:00–20:00" in English and bokmål."""
    span = f"{clock(weekly.start)}–{clock(weekly.end)}"
    name_nb = Weekday(weekly.weekday).name_nb.capitalize()
    return f"{_WEEKDAYS_EN[weekly.weekday]} {span}", f"{name_nb} {span}"


def free_weekly_time(
    windows: Iterable[ReleasedWeekly],
    season: tuple[date, date],
    weekdays: Iterable[int],
    evening: tuple[int, int],
    held: Iterable[WeeklyTime],
    step: int = 30,
) -> tuple[WeeklyTime, ...]:
    """A space's released weekly time inside the round's evenings, less the weekly time held
    for the season, on the grid. A window counts when it is valid during the season."""
    first, last = season
    days = set(weekdays)
    free: dict[int, list[tuple[int, int]]] = {day: [] for day in days}
    for window in windows:
        if window.valid_from > last or window.valid_to < first:
            continue
        start = max(_of_time(window.start), evening[0])
        end = min(_of_time(window.end, end=True), evening[1])
        for day in window.weekdays & days:
            if start < end:
                free[day].append((start, end))
    taken: dict[int, list[tuple[int, int]]] = {}
    for weekly in held:
        taken.setdefault(weekly.weekday, []).append((weekly.start, weekly.end))
    result: list[WeeklyTime] = []
    for day in sorted(free):
        for start, end in _subtract(_union(free[day]), taken.get(day, [])):
            start, end = -(-start // step) * step, end // step * step
            if start < end:
                result.append(WeeklyTime(day, start, end))
    return tuple(result)


def _union(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(
    ranges: Sequence[tuple[int, int]], holes: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    result = list(ranges)
    for hole_start, hole_end in holes:
        pieces: list[tuple[int, int]] = []
        for start, end in result:
            if hole_end <= start or end <= hole_start:
                pieces.append((start, end))
                continue
            if start < hole_start:
                pieces.append((start, hole_start))
            if hole_end < end:
                pieces.append((hole_end, end))
        result = pieces
    return result


def time_explanation(hall_rank: int, preferred: bool) -> tuple[str, str]:
    """Why an allocated time is as it is, in the club's words (English, bokmål)."""
    if hall_rank == 1:
        hall_en, hall_nb = "the first-choice hall", "førstevalget av hall"
    else:
        hall_en = f"choice {hall_rank} of the section's halls"
        hall_nb = f"valg nummer {hall_rank} av gruppens haller"
    if preferred:
        return f"A preferred time in {hall_en}.", f"Et ønsket tidspunkt i {hall_nb}."
    return (
        f"An acceptable time in {hall_en}: the preferred times went to sections with higher "
        "priority or were not free.",
        f"Et akseptabelt tidspunkt i {hall_nb}: de ønskede tidene gikk til grupper med høyere "
        "prioritet eller var ikke ledige.",
    )


def changed_outcome(granted: Sequence[WeeklyTime], requested: int) -> tuple[Outcome, str, str]:
    """A section's status and explanation after staff locked, forced or removed its times."""
    if len(granted) >= requested:
        status: Outcome = "granted"
    else:
        status = "partly" if granted else "refused"
    if not granted:
        return (
            status,
            f"No weekly time could be given of the {requested} asked for.",
            f"Ingen ukentlig tid kunne gis av de {requested} det ble søkt om.",
        )
    times = [weekly_text(weekly) for weekly in sorted(granted)]
    listed_en = ", ".join(en for en, _ in times)
    listed_nb = ", ".join(nb for _, nb in times)
    return (
        status,
        f"Given {len(granted)} of {requested} weekly times: {listed_en} (set by the municipality).",
        f"Fikk {len(granted)} av {requested} ukentlige tider: {listed_nb} (satt av kommunen).",
    )


def fitting_time(
    section: Section, space_id: str, capacity: int, freed: WeeklyTime, step: int = 30
) -> WeeklyTime | None:
    """The part of freed weekly time a waiting section would take, or None when it does not
    fit: the hall must be among its halls, the group within the capacity, and the time inside
    one of its preferred (else acceptable) ranges for at least its minimum length — clipped
    to its maximum. The longest fit wins, a preferred one before an acceptable one."""
    if space_id not in section.halls or section.group_size > capacity:
        return None
    for ranges in (section.preferred, section.acceptable):
        best: WeeklyTime | None = None
        for wanted in ranges:
            if wanted.weekday != freed.weekday:
                continue
            start = max(wanted.start, freed.start)
            start = -(-start // step) * step
            end = min(wanted.end, freed.end, start + section.max_minutes)
            end = start + (end - start) // step * step
            if end - start >= section.min_minutes and (best is None or end - start > best.minutes):
                best = WeeklyTime(freed.weekday, start, end)
        if best is not None:
            return best
    return None
