"""Seasonal application rounds: their periods, states, the sections clubs apply with, and the
season evenings a round keeps from direct booking.

Dates are Oslo calendar days (inclusive); weekly times are Oslo wall-clock minutes from
midnight on the round's 30-minute grid. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from booking.domain.allocation import WeeklyTime, clock, weekly_words
from booking.domain.errors import RoundReserved, TransitionNotAllowed
from samspill.errors import Conflict, RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import local_date, local_interval

__all__ = [
    "EDITABLE_STATES",
    "GRID_MINUTES",
    "RESERVING_STATES",
    "ROUND_TRANSITIONS",
    "RoundPeriods",
    "RoundStatus",
    "RoundView",
    "SectionRequest",
    "check_editable",
    "check_evening",
    "check_open_for_applications",
    "check_periods",
    "check_section",
    "check_weekdays",
    "due_moves",
    "due_status",
    "first_reserving",
    "parse_minutes",
    "reserved_evening",
    "result_sent",
    "seasons_overlap",
    "series_reserved",
    "transition_round",
    "weekly_time",
]

GRID_MINUTES = 30
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_NAMES_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


class RoundStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    IN_ALLOCATION = "in_allocation"
    HANDLED = "handled"
    RESULTS_SENT = "results_sent"


ROUND_TRANSITIONS: Mapping[RoundStatus, frozenset[RoundStatus]] = {
    # Back to upcoming only when staff postpone the opening of an open round.
    RoundStatus.UPCOMING: frozenset({RoundStatus.OPEN, RoundStatus.IN_ALLOCATION}),
    RoundStatus.OPEN: frozenset({RoundStatus.IN_ALLOCATION, RoundStatus.UPCOMING}),
    RoundStatus.IN_ALLOCATION: frozenset({RoundStatus.HANDLED}),
    RoundStatus.HANDLED: frozenset({RoundStatus.IN_ALLOCATION, RoundStatus.RESULTS_SENT}),
    RoundStatus.RESULTS_SENT: frozenset(),
}

# While a round is in one of these states, its season evenings cannot be booked directly.
RESERVING_STATES = frozenset({RoundStatus.OPEN, RoundStatus.IN_ALLOCATION, RoundStatus.HANDLED})
# Staff may still change a round's periods, evenings and spaces in these states.
EDITABLE_STATES = frozenset({RoundStatus.UPCOMING, RoundStatus.OPEN})


def transition_round(current: RoundStatus, target: RoundStatus) -> RoundStatus:
    """`target` when the state machine allows the move, else TransitionNotAllowed (409)."""
    if target not in ROUND_TRANSITIONS[current]:
        raise TransitionNotAllowed(current, target)
    return target


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundPeriods:
    applications_open: date
    applications_close: date
    allocation_until: date
    results_date: date
    season_first_date: date
    season_last_date: date


_ORDER: tuple[tuple[str, str, bool, str, str], ...] = (
    # (earlier, later, may be the same day, English, bokmål)
    (
        "applications_open",
        "applications_close",
        True,
        "the application period must not end before it opens",
        "søknadsperioden kan ikke slutte før den åpner",
    ),
    (
        "applications_close",
        "allocation_until",
        False,
        "the allocation period must end after the application period",
        "fordelingsperioden må slutte etter søknadsperioden",
    ),
    (
        "allocation_until",
        "results_date",
        True,
        "the results date must not come before the allocation period ends",
        "svardatoen kan ikke komme før fordelingsperioden er slutt",
    ),
    (
        "results_date",
        "season_first_date",
        True,
        "the season must not start before the results date",
        "sesongen kan ikke starte før svardatoen",
    ),
    (
        "season_first_date",
        "season_last_date",
        True,
        "the season must not end before it starts",
        "sesongen kan ikke slutte før den starter",
    ),
)


def check_periods(periods: RoundPeriods) -> None:
    """open ≤ close < allocation_until ≤ results_date ≤ season_first ≤ season_last, and a season
    of at most a year; RuleViolation (422) naming the first period out of order."""
    for earlier, later, same_day, en, nb in _ORDER:
        first, second = getattr(periods, earlier), getattr(periods, later)
        if second < first or (second == first and not same_day):
            raise RuleViolation(
                f"The round's periods overlap or run backwards: {en} ({earlier} {first}, "
                f"{later} {second}).",
                f"Rundens perioder overlapper eller går baklengs: {nb} ({earlier} {first}, "
                f"{later} {second}).",
                field=later,
            )
    days = (periods.season_last_date - periods.season_first_date).days + 1
    if _more_than_a_year(periods.season_first_date, periods.season_last_date):
        raise RuleViolation(
            f"A season covers at most a year ({periods.season_first_date} to "
            f"{periods.season_last_date} is {days} days).",
            f"En sesong varer høyst ett år ({periods.season_first_date} til "
            f"{periods.season_last_date} er {days} dager).",
            field="season_last_date",
        )


def _more_than_a_year(first: date, last: date) -> bool:
    """Whether `last` is on or after the same date a year after `first` (a season runs at
    most to the day before)."""
    try:
        anniversary = first.replace(year=first.year + 1)
    except ValueError:  # 29 February: a year on is 1 March
        anniversary = date(first.year + 1, 3, 1)
    return last >= anniversary


def seasons_overlap(a: RoundPeriods, b: RoundPeriods) -> bool:
    """Whether the two rounds' seasons share a day."""
    return a.season_first_date <= b.season_last_date and b.season_first_date <= a.season_last_date


def due_status(periods: RoundPeriods, today: date) -> RoundStatus:
    """The state a round should be in on Oslo day `today` by its dates alone: upcoming before
    applications open, open through the closing day, in allocation from the day after."""
    if today < periods.applications_open:
        return RoundStatus.UPCOMING
    if today <= periods.applications_close:
        return RoundStatus.OPEN
    return RoundStatus.IN_ALLOCATION


def due_moves(current: RoundStatus, periods: RoundPeriods, today: date) -> list[RoundStatus]:
    """The states the job moves a round through on `today`, in order: only forward from
    upcoming to open to in allocation; staff take it on from there."""
    order = (RoundStatus.UPCOMING, RoundStatus.OPEN, RoundStatus.IN_ALLOCATION)
    if current not in order:
        return []
    due = due_status(periods, today)
    return list(order[order.index(current) + 1 : order.index(due) + 1])


def check_open_for_applications(status: RoundStatus, periods: RoundPeriods, today: date) -> None:
    """Applications are taken, changed and withdrawn only while the round is open and today is
    inside its application period (409 otherwise)."""
    if status is RoundStatus.RESULTS_SENT:
        raise result_sent()
    if status is not RoundStatus.OPEN or not (
        periods.applications_open <= today <= periods.applications_close
    ):
        raise Conflict(
            f"The round takes applications only while it is open, from "
            f"{periods.applications_open} to {periods.applications_close} (it is {status.value}).",
            f"Runden tar imot søknader bare mens den er åpen, fra {periods.applications_open} "
            f"til {periods.applications_close} (den er {_status_nb(status)}).",
            state=status.value,
        )


def check_editable(status: RoundStatus) -> None:
    """A round's periods, evenings and spaces change only before allocation starts."""
    if status is RoundStatus.RESULTS_SENT:
        raise result_sent()
    if status not in EDITABLE_STATES:
        raise Conflict(
            f"The round can be changed only while it is upcoming or open (it is {status.value}).",
            f"Runden kan bare endres mens den er kommende eller åpen (den er "
            f"{_status_nb(status)}).",
            state=status.value,
        )


def result_sent() -> Conflict:
    return Conflict(
        "The result has been sent: the round, its applications and its allocation can no "
        "longer be changed.",
        "Resultatet er sendt: runden, søknadene og fordelingen kan ikke lenger endres.",
        state=RoundStatus.RESULTS_SENT.value,
    )


_STATUS_NB = {
    RoundStatus.UPCOMING: "kommende",
    RoundStatus.OPEN: "åpen",
    RoundStatus.IN_ALLOCATION: "under fordeling",
    RoundStatus.HANDLED: "behandlet",
    RoundStatus.RESULTS_SENT: "med sendt resultat",
}


def _status_nb(status: RoundStatus) -> str:
    return _STATUS_NB[status]


# --- weekdays and evenings -----------------------------------------------------------------


def parse_minutes(text: str, what: str = "time") -> int:
    """Minutes from midnight of an "HH:MM" wall-clock time (00:00–23:59); 422 otherwise."""
    hours, sep, minutes = text.partition(":")
    if (
        sep != ":"
        or len(hours) != 2
        or len(minutes) != 2
        or not (hours.isdigit() and minutes.isdigit())
        or int(hours) > 23
        or int(minutes) > 59
    ):
        raise RuleViolation(
            f"{what} must be a time as HH:MM, not {text!r}.",
            f"{what} må være et klokkeslett som TT:MM, ikke {text!r}.",
            field=what,
        )
    return int(hours) * 60 + int(minutes)


def weekly_time(weekday: int, start: str, end: str, what: str = "preferred") -> WeeklyTime:
    """A weekly range from its "HH:MM" texts; 422 unless the start is before the end."""
    first, last = parse_minutes(start, what), parse_minutes(end, what)
    if not 0 <= weekday <= 6 or first >= last:
        raise RuleViolation(
            f"A weekly time must be on a weekday 0–6 and start before it ends ({weekday} "
            f"{start}–{end}).",
            f"En ukentlig tid må være på en ukedag 0–6 og starte før den slutter ({weekday} "
            f"{start}–{end}).",
            field=what,
        )
    return WeeklyTime(weekday, first, last)


def check_weekdays(weekdays: Sequence[int]) -> None:
    if (
        not weekdays
        or len(set(weekdays)) != len(weekdays)
        or any(not 0 <= day <= 6 for day in weekdays)
    ):
        raise RuleViolation(
            f"weekdays must be distinct days 0 (Monday) to 6 (Sunday), at least one: {weekdays}.",
            f"ukedager må være ulike dager fra 0 (mandag) til 6 (søndag), minst én: {weekdays}.",
            field="weekdays",
        )


def check_evening(start: str, end: str) -> tuple[int, int]:
    """The evening's minutes (start, end): on the 30-minute grid, the start before the end."""
    first, last = parse_minutes(start, "evening_start"), parse_minutes(end, "evening_end")
    if first % GRID_MINUTES or last % GRID_MINUTES:
        raise RuleViolation(
            f"The evening {start}–{end} must start and end on the half hour.",
            f"Kvelden {start}–{end} må starte og slutte på hel eller halv time.",
            field="evening_start",
        )
    if first >= last:
        raise RuleViolation(
            f"The evening must start before it ends ({start}–{end}).",
            f"Kvelden må starte før den slutter ({start}–{end}).",
            field="evening_end",
        )
    return first, last


# --- the round as the rules see it ---------------------------------------------------------


@dataclass(frozen=True)
class RoundView:
    """A round's name, state, dates, evenings and spaces (ids as strings)."""

    round_id: str
    name: str
    status: RoundStatus
    periods: RoundPeriods
    weekdays: frozenset[int]
    evening_start: int  # minutes from midnight
    evening_end: int
    space_ids: frozenset[str]

    @property
    def evening_text(self) -> str:
        return f"{clock(self.evening_start)}–{clock(self.evening_end)}"

    def reserved(self, conflicting: Interval | None = None) -> RoundReserved:
        """The refusal of a direct booking in this round's season evenings."""
        return RoundReserved(
            self.round_id,
            self.name,
            self.evening_text,
            self.periods.season_first_date,
            self.periods.season_last_date,
            conflicting,
        )

    def evenings_within(self, period: Interval) -> list[Interval]:
        """The round's season evenings that overlap `period`, as instants."""
        day, last = local_date(period.start), local_date(period.end)
        evenings = []
        while day <= last:
            evening = self.evening_on(day)
            if evening is not None and evening.start < period.end and period.start < evening.end:
                evenings.append(evening)
            day += timedelta(days=1)
        return evenings

    def evening_on(self, day: date) -> Interval | None:
        """The round's evening on `day` as instants, when the day is a season day it covers."""
        if not self.periods.season_first_date <= day <= self.periods.season_last_date:
            return None
        if day.weekday() not in self.weekdays:
            return None
        return local_interval(day, _wall(self.evening_start), _wall(self.evening_end))


def _wall(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


# --- sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionRequest:
    """A section as a club applies with it: halls are space ids, best first."""

    name: str
    group_size: int
    times_per_week: int
    min_minutes: int
    max_minutes: int
    halls: tuple[str, ...]
    preferred: tuple[WeeklyTime, ...]
    acceptable: tuple[WeeklyTime, ...] = ()


def check_section(
    section: SectionRequest, round_: RoundView, capacities: Mapping[str, int]
) -> None:
    """Every rule a section must keep to be allocated at all; RuleViolation (422) naming the
    section and the rule. `capacities` maps the round's space ids to their capacity."""
    label, label_nb = f"Section {section.name!r}", f"Gruppen «{section.name}»"
    if section.max_minutes < section.min_minutes:
        raise _section_error(
            f"{label}: the maximum length ({section.max_minutes} min) is below the minimum "
            f"({section.min_minutes} min).",
            f"{label_nb}: lengste tid ({section.max_minutes} min) er kortere enn korteste "
            f"({section.min_minutes} min).",
            "max_minutes",
        )
    if section.min_minutes % GRID_MINUTES or section.max_minutes % GRID_MINUTES:
        raise _section_error(
            f"{label}: the lengths must be whole half hours.",
            f"{label_nb}: lengdene må være hele halvtimer.",
            "min_minutes",
        )
    if section.times_per_week > len(round_.weekdays):
        raise _section_error(
            f"{label}: {section.times_per_week} times a week is more than the round's "
            f"{len(round_.weekdays)} days a week (at most one time a day).",
            f"{label_nb}: {section.times_per_week} ganger i uken er flere enn rundens "
            f"{len(round_.weekdays)} dager i uken (høyst én gang om dagen).",
            "times_per_week",
        )
    _check_halls(section, round_, capacities, label, label_nb)
    if not section.preferred:
        raise _section_error(
            f"{label}: give at least one preferred weekly time.",
            f"{label_nb}: oppgi minst én ønsket ukentlig tid.",
            "preferred",
        )
    for what, ranges in (("preferred", section.preferred), ("acceptable", section.acceptable)):
        for weekly in ranges:
            _check_range(weekly, round_, label, label_nb, what)


def _check_halls(
    section: SectionRequest,
    round_: RoundView,
    capacities: Mapping[str, int],
    label: str,
    label_nb: str,
) -> None:
    if not section.halls:
        raise _section_error(
            f"{label}: rank at least one hall.", f"{label_nb}: ranger minst én hall.", "halls"
        )
    if len(set(section.halls)) != len(section.halls):
        raise _section_error(
            f"{label}: a hall is listed twice.", f"{label_nb}: en hall står to ganger.", "halls"
        )
    outside = [hall for hall in section.halls if hall not in round_.space_ids]
    if outside:
        raise _section_error(
            f"{label}: hall {outside[0]} is not in the round.",
            f"{label_nb}: hallen {outside[0]} er ikke med i runden.",
            "halls",
        )
    if all(section.group_size > capacities.get(hall, 0) for hall in section.halls):
        largest = max(capacities.get(hall, 0) for hall in section.halls)
        raise _section_error(
            f"{label}: a group of {section.group_size} is larger than every listed hall "
            f"(at most {largest}).",
            f"{label_nb}: en gruppe på {section.group_size} er større enn alle hallene som er "
            f"valgt (høyst {largest}).",
            "group_size",
        )


def _check_range(
    weekly: WeeklyTime, round_: RoundView, label: str, label_nb: str, what: str
) -> None:
    text, text_nb = weekly_words(weekly)
    if weekly.start % GRID_MINUTES or weekly.end % GRID_MINUTES:
        raise _section_error(
            f"{label}: {text} must start and end on the half hour.",
            f"{label_nb}: {text_nb} må starte og slutte på hel eller halv time.",
            what,
        )
    if weekly.weekday not in round_.weekdays:
        raise _section_error(
            f"{label}: the round hands out no time on {WEEKDAY_NAMES[weekly.weekday]}s.",
            f"{label_nb}: runden deler ikke ut tid på {WEEKDAY_NAMES_NB[weekly.weekday]}er.",
            what,
        )
    if weekly.start < round_.evening_start or weekly.end > round_.evening_end:
        evening = f"{clock(round_.evening_start)}–{clock(round_.evening_end)}"
        raise _section_error(
            f"{label}: {text} is outside the round's evening {evening}.",
            f"{label_nb}: {text_nb} er utenfor rundens kveld {evening}.",
            what,
        )


def _section_error(detail: str, detail_nb: str, field: str) -> RuleViolation:
    return RuleViolation(detail, detail_nb, field=field)


# --- the time a round keeps from direct booking --------------------------------------------


def reserved_evening(round_: RoundView, interval: Interval) -> Interval | None:
    """The round's season evening `interval` overlaps, or None (the round's state and spaces
    are the caller's to check)."""
    day = local_date(interval.start)
    last = local_date(interval.end)
    while day <= last:
        evening = round_.evening_on(day)
        if evening is not None and evening.start < interval.end and interval.start < evening.end:
            return evening
        day += timedelta(days=1)
    return None


def series_reserved(
    round_: RoundView, weekday: int, start: time, end: time, first: date, last: date
) -> date | None:
    """The first date of a weekly series (Oslo wall clock; an end at or before the start runs
    to midnight) that falls in the round's season evenings, or None."""
    if weekday not in round_.weekdays:
        return None
    begin = start.hour * 60 + start.minute
    finish = end.hour * 60 + end.minute
    if finish <= begin:
        finish = 24 * 60
    if not (begin < round_.evening_end and round_.evening_start < finish):
        return None
    day = max(first, round_.periods.season_first_date)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return day if day <= min(last, round_.periods.season_last_date) else None


def first_reserving(
    rounds: Iterable[RoundView], intervals: Iterable[Interval]
) -> tuple[RoundView, Interval] | None:
    """The first reserving round with an evening one of `intervals` falls in."""
    reserving = [r for r in rounds if r.status in RESERVING_STATES]
    for interval in intervals:
        for round_ in reserving:
            evening = reserved_evening(round_, interval)
            if evening is not None:
                return round_, evening
    return None
