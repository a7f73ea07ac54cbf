"""Release windows: when a site lends out a space, in Europe/Oslo wall-clock time.

A weekly window ("Mon–Thu 17:00–22:00 from 5 January to 19 June") or a one-off window
("Saturday 14 March 10:00–16:00"). Every window lies within one local day; an end of 00:00
means midnight at the end of that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from samspill.errors import RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import Weekday, local_interval, weekly_occurrences

# Bounds how far one weekly window reaches, and so how many occurrences it expands to.
MAX_WINDOW_DAYS = 2 * 366
MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class WeeklyWindow:
    weekdays: frozenset[int]
    start: time
    end: time
    valid_from: date
    valid_to: date
    withdrawn_dates: frozenset[date] = frozenset()

    def validate(self, today: date | None = None) -> None:
        _validate_weekdays(self.weekdays)
        _validate_times(self.start, self.end)
        self._validate_period(today)
        self._validate_withdrawn()

    def _validate_period(self, today: date | None) -> None:
        if self.valid_to < self.valid_from:
            raise RuleViolation(
                "The window's last date is before its first date.",
                "Vinduets siste dato er før første dato.",
            )
        if (self.valid_to - self.valid_from).days > MAX_WINDOW_DAYS:
            raise RuleViolation(
                f"A weekly window can span at most {MAX_WINDOW_DAYS} days.",
                f"Et ukentlig vindu kan vare i høyst {MAX_WINDOW_DAYS} dager.",
            )
        if today is not None and self.valid_to < today:
            raise RuleViolation(
                "The window ends in the past.", "Vinduet slutter på en dato som har vært."
            )
        if not any(d.weekday() in self.weekdays for d in self._dates_in_period()):
            raise RuleViolation(
                "None of the chosen weekdays falls within the window's dates.",
                "Ingen av de valgte ukedagene faller innenfor vinduets datoer.",
            )

    def _validate_withdrawn(self) -> None:
        for day in sorted(self.withdrawn_dates):
            if not self.valid_from <= day <= self.valid_to or day.weekday() not in self.weekdays:
                raise RuleViolation(
                    f"{day.isoformat()} is not a date of this window and cannot be withdrawn.",
                    f"{_nb_date(day)} er ikke en dato i dette vinduet og kan ikke trekkes tilbake.",
                )

    def _dates_in_period(self) -> Iterator[date]:
        return _date_range(self.valid_from, self.valid_to)

    def occurs_on(self, day: date) -> bool:
        return (
            self.valid_from <= day <= self.valid_to
            and day.weekday() in self.weekdays
            and day not in self.withdrawn_dates
        )

    def occurrence_dates(self) -> list[date]:
        return [d for d in self._dates_in_period() if self.occurs_on(d)]

    def occurrences(self, within: Interval | None = None) -> list[Interval]:
        return weekly_occurrences(
            self.weekdays,
            self.start,
            self.end,
            self.valid_from,
            self.valid_to,
            within=within,
            except_dates=self.withdrawn_dates,
        )


@dataclass(frozen=True)
class OneOffWindow:
    day: date
    start: time
    end: time

    def validate(self, today: date | None = None) -> None:
        _validate_times(self.start, self.end)
        if today is not None and self.day < today:
            raise RuleViolation(
                "The window's date has already passed.", "Vinduets dato har allerede vært."
            )
        try:
            local_interval(self.day, self.start, self.end)
        except ValueError:
            raise RuleViolation(
                "The window falls entirely in the hour skipped by the switch to summer time.",
                "Vinduet ligger helt i timen som hoppes over ved overgang til sommertid.",
            ) from None

    def occurs_on(self, day: date) -> bool:
        return day == self.day

    def occurrence_dates(self) -> list[date]:
        return [self.day]

    def occurrences(self, within: Interval | None = None) -> list[Interval]:
        try:
            interval = local_interval(self.day, self.start, self.end)
        except ValueError:
            return []
        if within is not None and not interval.overlaps(within):
            return []
        return [interval]


ReleaseWindow = WeeklyWindow | OneOffWindow


def parse_weekdays(values: Iterable[str | int]) -> frozenset[int]:
    """Weekday numbers (Monday = 0) from names ("mandag", "mon") or numbers."""
    days: set[int] = set()
    for value in values:
        try:
            day = Weekday(value) if isinstance(value, int) else Weekday.parse(value)
        except ValueError:
            raise RuleViolation(
                f"Unknown weekday: {value!r}.", f"Ukjent ukedag: {value!r}."
            ) from None
        days.add(int(day))
    return frozenset(days)


def windows_overlap(a: ReleaseWindow, b: ReleaseWindow) -> bool:
    """Whether the two windows share any local instant on any date both occur on."""
    if not _wall_times_overlap(a, b):
        return False
    first = max(_first_date(a), _first_date(b))
    last = min(_last_date(a), _last_date(b))
    return any(a.occurs_on(d) and b.occurs_on(d) for d in _date_range(first, last))


def ensure_no_overlap(new: ReleaseWindow, existing: Mapping[str, ReleaseWindow]) -> None:
    """Refuse `new` when it overlaps one of the space's `existing` windows (keyed by id)."""
    for window_id, window in existing.items():
        if windows_overlap(new, window):
            raise RuleViolation(
                f"The window overlaps the existing window {window_id} ({describe_en(window)}).",
                f"Vinduet overlapper det eksisterende vinduet {window_id} ({describe_nb(window)}).",
            )


def withdraw_date(window: ReleaseWindow, day: date, today: date | None = None) -> WeeklyWindow:
    """The weekly window without its occurrence on `day`."""
    if isinstance(window, OneOffWindow):
        raise RuleViolation(
            "A one-off window has a single date; remove the whole window instead.",
            "Et enkeltvindu har bare én dato; slett hele vinduet i stedet.",
        )
    if day in window.withdrawn_dates:
        raise RuleViolation(
            f"{day.isoformat()} is already withdrawn.",
            f"{_nb_date(day)} er allerede trukket tilbake.",
        )
    if not window.occurs_on(day):
        raise RuleViolation(
            f"The window does not occur on {day.isoformat()}.",
            f"Vinduet gjelder ikke {_nb_date(day)}.",
        )
    if today is not None and day < today:
        raise RuleViolation(
            "A date that has passed cannot be withdrawn.",
            "En dato som har vært, kan ikke trekkes tilbake.",
        )
    return replace(window, withdrawn_dates=window.withdrawn_dates | {day})


def restore_date(window: WeeklyWindow, day: date) -> WeeklyWindow:
    """Undo `withdraw_date` for `day`."""
    if day not in window.withdrawn_dates:
        raise RuleViolation(
            f"{day.isoformat()} has not been withdrawn.",
            f"{_nb_date(day)} er ikke trukket tilbake.",
        )
    return replace(window, withdrawn_dates=window.withdrawn_dates - {day})


def describe_nb(window: ReleaseWindow) -> str:
    times = f"{window.start:%H:%M}–{_end_text(window.end)}"
    if isinstance(window, OneOffWindow):
        return f"{_nb_date(window.day)} {times}"
    days = ", ".join(Weekday(d).name_nb for d in sorted(window.weekdays))
    return f"{days} {times}, {_nb_date(window.valid_from)}–{_nb_date(window.valid_to)}"


def describe_en(window: ReleaseWindow) -> str:
    times = f"{window.start:%H:%M}–{_end_text(window.end)}"
    if isinstance(window, OneOffWindow):
        return f"{window.day.isoformat()} {times}"
    days = ", ".join(Weekday(d).name.capitalize() for d in sorted(window.weekdays))
    return f"{days} {times}, {window.valid_from.isoformat()}–{window.valid_to.isoformat()}"


def _validate_weekdays(weekdays: frozenset[int]) -> None:
    if not weekdays:
        raise RuleViolation("Choose at least one weekday.", "Velg minst én ukedag.")
    unknown = sorted(d for d in weekdays if not 0 <= d <= 6)
    if unknown:
        raise RuleViolation(
            f"Unknown weekday number(s): {unknown} (0 = Monday … 6 = Sunday).",
            f"Ukjent ukedagsnummer: {unknown} (0 = mandag … 6 = søndag).",
        )


def _validate_times(start: time, end: time) -> None:
    for wall in (start, end):
        if wall.tzinfo is not None or wall.second or wall.microsecond:
            raise RuleViolation(
                "Window times are local Oslo times in whole minutes, without a time zone.",
                "Tidene i et vindu er lokal norsk tid i hele minutter, uten tidssone.",
            )
    if _minutes(end, is_end=True) <= _minutes(start):
        raise RuleViolation(
            "The window's end must be after its start on the same day (00:00 ends at midnight).",
            "Vinduet må slutte etter at det starter samme dag (00:00 betyr midnatt).",
        )


def _wall_times_overlap(a: ReleaseWindow, b: ReleaseWindow) -> bool:
    return _minutes(a.start) < _minutes(b.end, is_end=True) and _minutes(b.start) < _minutes(
        a.end, is_end=True
    )


def _minutes(wall: time, is_end: bool = False) -> int:
    if is_end and wall == MIDNIGHT:
        return 24 * 60
    return wall.hour * 60 + wall.minute


def _first_date(window: ReleaseWindow) -> date:
    return window.day if isinstance(window, OneOffWindow) else window.valid_from


def _last_date(window: ReleaseWindow) -> date:
    return window.day if isinstance(window, OneOffWindow) else window.valid_to


def _date_range(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _end_text(end: time) -> str:
    return "24:00" if end == MIDNIGHT else f"{end:%H:%M}"


def _nb_date(day: date) -> str:
    return f"{day:%d.%m.%Y}"
