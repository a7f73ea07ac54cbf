"""The application rounds' page rules: reading the round and force-a-time forms, the next
step of each state, the figures of an allocation run and the allocation as a grid per hall
and weekday. Plain values in, plain values out; the messages are English msgids the pages
translate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from portal.domain.manage import parse_date, parse_time

DATES = (
    "applications_open",
    "applications_close",
    "allocation_until",
    "results_date",
    "season_first_date",
    "season_last_date",
)
PRIORITIES = (
    "children_youth",
    "local",
    "other",
    "club_rank",
    "preferred_time",
    "hall_rank",
    "fairness",
)
DEFAULT_WEEKDAYS = ("0", "1", "2", "3", "4")
DEFAULT_EVENING = ("17:00", "23:00")
STEP_MINUTES = 30
EDITABLE = frozenset({"upcoming", "open"})
METHODS = ("cp_sat", "greedy")
MAX_TIME_LIMIT_S = 60

NAME_NEEDED = "Enter the round's name (at least two characters)."
DATE_NEEDED = "Enter the date as day.month.year, for example 9.3.2027."
HALL_NEEDED = "Choose at least one hall."
WEEKDAY_NEEDED = "Choose at least one weekday."
TIME_NEEDED = "Enter the time on the half hour, for example 17:00 or 17:30."
END_AFTER_START = "The end time must be after the start time."
WEIGHT_INVALID = "Enter a whole number from 0 to 100000, or leave it empty for the default."
SECTION_NEEDED = "Choose the section."
SPACE_NEEDED = "Choose the hall."
DAY_NEEDED = "Choose the weekday."
METHOD_NEEDED = "Choose how to allocate."
TIME_LIMIT_INVALID = "Enter the time limit in whole seconds from 1 to 60."


# --- the round form -----------------------------------------------------------------------------


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip()[:500] if isinstance(value, str) else ""


def _texts(values: Mapping[str, Any], name: str) -> list[str]:
    found = values.get(name)
    if isinstance(found, str):
        return [found.strip()]
    if isinstance(found, list | tuple):
        return [str(v).strip() for v in found]
    return []


def _half_hour(text: str) -> time | None:
    """`17:00` or `17.30` on the half-hour grid; `24:00` is not a start or end here."""
    found = parse_time(text) if text.strip() not in ("24", "24:00") else None
    return found if found is not None and found.minute % STEP_MINUTES == 0 else None


def _weight(text: str) -> int | None:
    cleaned = text.replace(" ", "")
    return int(cleaned) if cleaned.isdigit() and int(cleaned) <= 100_000 else None


@dataclass
class RoundForm:
    """The round as typed: dates as text, halls and weekdays as the ticked values, the weights
    empty when the round keeps the defaults. `errors` maps a field to an English msgid."""

    name: str = ""
    dates: dict[str, str] = field(default_factory=lambda: dict.fromkeys(DATES, ""))
    space_ids: list[str] = field(default_factory=list)
    weekdays: list[str] = field(default_factory=lambda: list(DEFAULT_WEEKDAYS))
    evening_start: str = DEFAULT_EVENING[0]
    evening_end: str = DEFAULT_EVENING[1]
    priorities: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PRIORITIES, ""))
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, values: Mapping[str, Any], spaces: Iterable[str]) -> RoundForm:
        """The posted form; `spaces` are the hall ids that may be chosen."""
        known = set(spaces)
        form = cls(
            name=_text(values, "name"),
            dates={name: _text(values, name) for name in DATES},
            space_ids=[s for s in _texts(values, "space_ids") if s],
            weekdays=[d for d in _texts(values, "weekdays") if d],
            evening_start=_text(values, "evening_start"),
            evening_end=_text(values, "evening_end"),
            priorities={name: _text(values, name) for name in PRIORITIES},
        )
        if len(form.name) < 2:
            form.errors["name"] = NAME_NEEDED
        for name in DATES:
            if parse_date(form.dates[name]) is None:
                form.errors[name] = DATE_NEEDED
        if not form.space_ids or not set(form.space_ids) <= known:
            form.errors["space_ids"] = HALL_NEEDED
        if not form.weekday_values:
            form.errors["weekdays"] = WEEKDAY_NEEDED
        start, end = _half_hour(form.evening_start), _half_hour(form.evening_end)
        if start is None:
            form.errors["evening_start"] = TIME_NEEDED
        if end is None:
            form.errors["evening_end"] = TIME_NEEDED
        elif start is not None and end <= start:
            form.errors["evening_end"] = END_AFTER_START
        for name in PRIORITIES:
            if form.priorities[name] and _weight(form.priorities[name]) is None:
                form.errors[name] = WEIGHT_INVALID
        return form

    @classmethod
    def of(cls, found: Mapping[str, Any]) -> RoundForm:
        """A round as the API gives it, to edit."""
        weights = found.get("priorities") or {}
        return cls(
            name=str(found.get("name", "")),
            dates={name: _norwegian_date(str(found.get(name, ""))) for name in DATES},
            space_ids=[str(s["space_id"]) for s in found.get("spaces", [])],
            weekdays=[str(d) for d in found.get("weekdays", [])],
            evening_start=str(found.get("evening_start", ""))[:5],
            evening_end=str(found.get("evening_end", ""))[:5],
            priorities={
                name: "" if weights.get(name) is None else str(weights[name]) for name in PRIORITIES
            },
        )

    @property
    def weekday_values(self) -> list[int]:
        days = {int(d) for d in self.weekdays if d.isascii() and d.isdigit() and int(d) <= 6}
        return sorted(days)

    def body(self) -> dict[str, Any]:
        """The API's body for a valid form."""
        body: dict[str, Any] = {"name": self.name}
        for name in DATES:
            parsed = parse_date(self.dates[name])
            body[name] = None if parsed is None else parsed.isoformat()
        start, end = _half_hour(self.evening_start), _half_hour(self.evening_end)
        body.update(
            space_ids=list(dict.fromkeys(self.space_ids)),
            weekdays=self.weekday_values,
            evening_start=None if start is None else f"{start:%H:%M}",
            evening_end=None if end is None else f"{end:%H:%M}",
        )
        weights = {name: _weight(text) for name, text in self.priorities.items() if text}
        if weights:
            body["priorities"] = weights
        return body


# What a field's message is when the API refuses its value (its own texts are technical).
INVALID: dict[str, str] = {
    "name": NAME_NEEDED,
    **dict.fromkeys(DATES, DATE_NEEDED),
    "space_ids": HALL_NEEDED,
    "weekdays": WEEKDAY_NEEDED,
    "evening_start": TIME_NEEDED,
    "evening_end": TIME_NEEDED,
    **dict.fromkeys(PRIORITIES, WEIGHT_INVALID),
    "section_id": SECTION_NEEDED,
    "space_id": SPACE_NEEDED,
    "weekday": DAY_NEEDED,
    "start": TIME_NEEDED,
    "end": TIME_NEEDED,
}

ROUND_API_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    **{name: (name,) for name in DATES},
    "space_ids": ("space_ids",),
    "weekdays": ("weekdays",),
    "evening_start": ("evening_start",),
    "evening_end": ("evening_end",),
    **{name: ("priorities", name) for name in PRIORITIES},
}


def _norwegian_date(iso: str) -> str:
    parsed = parse_date(iso[:10]) if iso else None
    return "" if parsed is None else f"{parsed.day}.{parsed.month}.{parsed.year}"


def editable(state: str) -> bool:
    return state in EDITABLE


# --- running the allocation and forcing a time -----------------------------------------------


@dataclass(frozen=True)
class RunChoice:
    method: str
    time_limit_s: int


def read_run(values: Mapping[str, Any]) -> tuple[RunChoice | None, dict[str, str]]:
    """`method` (cp_sat / greedy) and `time_limit_s` (1..60, empty for 20)."""
    errors: dict[str, str] = {}
    method = _text(values, "method")
    if method not in METHODS:
        errors["method"] = METHOD_NEEDED
    limit_text = _text(values, "time_limit_s") or "20"
    limit = int(limit_text) if limit_text.isascii() and limit_text.isdigit() else 0
    if not 1 <= limit <= MAX_TIME_LIMIT_S:
        errors["time_limit_s"] = TIME_LIMIT_INVALID
    return (None, errors) if errors else (RunChoice(method, limit), errors)


@dataclass
class ForceForm:
    """Force a weekly time for a section in a hall, as typed."""

    section_id: str = ""
    space_id: str = ""
    weekday: str = ""
    start: str = ""
    end: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(
        cls, values: Mapping[str, Any], sections: Iterable[str], spaces: Iterable[str]
    ) -> ForceForm:
        form = cls(
            section_id=_text(values, "section_id"),
            space_id=_text(values, "space_id"),
            weekday=_text(values, "weekday"),
            start=_text(values, "start"),
            end=_text(values, "end"),
        )
        if form.section_id not in set(sections):
            form.errors["section_id"] = SECTION_NEEDED
        if form.space_id not in set(spaces):
            form.errors["space_id"] = SPACE_NEEDED
        if not (form.weekday.isascii() and form.weekday.isdigit() and int(form.weekday) <= 6):
            form.errors["weekday"] = DAY_NEEDED
        start, end = _half_hour(form.start), _half_hour(form.end)
        if start is None:
            form.errors["start"] = TIME_NEEDED
        if end is None:
            form.errors["end"] = TIME_NEEDED
        elif start is not None and end <= start:
            form.errors["end"] = END_AFTER_START
        return form

    def body(self) -> dict[str, Any]:
        start, end = _half_hour(self.start), _half_hour(self.end)
        return {
            "section_id": self.section_id,
            "space_id": self.space_id,
            "weekday": int(self.weekday),
            "start": None if start is None else f"{start:%H:%M}",
            "end": None if end is None else f"{end:%H:%M}",
        }


FORCE_FIELDS = ("section_id", "space_id", "weekday", "start", "end")
FORCE_API_FIELDS: dict[str, tuple[str, ...]] = {name: (name,) for name in FORCE_FIELDS}


# --- the figures of a run ------------------------------------------------------------------------


def percent(share: float | None) -> int | None:
    """A share 0..1 as a whole percentage (None stays None)."""
    return None if share is None else round(max(0.0, min(1.0, float(share))) * 100)


@dataclass(frozen=True)
class Figures:
    method: str
    seconds: float
    optimal: bool
    met_percent: int | None
    requested_hours: float | None
    met_hours: float | None
    by_class: list[tuple[str, int | None]]  # (priority class, met percentage), in class order
    gini: float | None
    sections_refused: int | None


CLASSES = ("children_youth", "local", "other")


def figures(run: Mapping[str, Any] | None) -> Figures | None:
    """The run's figures as the page shows them, or None before the first run."""
    if not run:
        return None
    metrics = run.get("metrics") or {}
    by_class = metrics.get("by_class") or {}
    ordered = [c for c in CLASSES if c in by_class] + sorted(set(by_class) - set(CLASSES))
    gini = metrics.get("gini")
    return Figures(
        method=str(run.get("method", "")),
        seconds=round(float(run.get("seconds") or 0.0), 2),
        optimal=bool(run.get("optimal")),
        met_percent=percent(metrics.get("met_share")),
        requested_hours=_hours(metrics.get("requested_hours")),
        met_hours=_hours(metrics.get("met_hours")),
        by_class=[(c, percent(by_class[c])) for c in ordered],
        gini=None if gini is None else round(float(gini), 3),
        sections_refused=metrics.get("sections_refused"),
    )


def _hours(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


# --- the allocation as a grid per hall ---------------------------------------------------------


def minutes(text: str) -> int:
    """`18:30` (or `18:30:00`) as minutes from midnight."""
    hours, _, rest = str(text).partition(":")
    return int(hours) * 60 + int(rest[:2] or 0)


def clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


@dataclass(frozen=True)
class Cell:
    """A stretch of a weekday in one hall: `span` half hours from `start`, held by `times`
    (none when free)."""

    start: str
    end: str
    span: int
    times: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class DayRow:
    weekday: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class HallGrid:
    space_id: str
    name: str
    site_name: str
    columns: tuple[str, ...]  # the half hours' start times
    rows: tuple[DayRow, ...]
    count: int  # times allocated in the hall


def hall_grids(
    spaces: Sequence[Mapping[str, Any]],
    times: Sequence[Mapping[str, Any]],
    weekdays: Sequence[int],
    evening_start: str,
    evening_end: str,
) -> list[HallGrid]:
    """One grid per hall of the round (in the round's order): a row per weekday of the round
    (and any other day a time was forced on), a column per half hour of the evening (widened
    to fit every time), neighbouring half hours held by the same times merged into one cell."""
    grids = []
    for space in spaces:
        space_id = str(space["space_id"])
        own = [t for t in times if str(t.get("space_id")) == space_id]
        first = min([minutes(evening_start), *(minutes(t["start"]) for t in own)])
        last = max([minutes(evening_end), *(minutes(t["end"]) for t in own)])
        first -= first % STEP_MINUTES
        slots = list(range(first, last, STEP_MINUTES))
        days = sorted({*weekdays, *(int(t["weekday"]) for t in own)})
        rows = tuple(
            DayRow(day, _cells(slots, [t for t in own if t["weekday"] == day])) for day in days
        )
        grids.append(
            HallGrid(
                space_id=space_id,
                name=str(space.get("space_name", "")),
                site_name=str(space.get("site_name", "")),
                columns=tuple(clock(s) for s in slots),
                rows=rows,
                count=len(own),
            )
        )
    return grids


def _cells(slots: Sequence[int], times: Sequence[Mapping[str, Any]]) -> tuple[Cell, ...]:
    holders = [
        tuple(
            sorted(
                (
                    t
                    for t in times
                    if minutes(t["start"]) < slot + STEP_MINUTES and slot < minutes(t["end"])
                ),
                key=lambda t: (minutes(t["start"]), str(t.get("section_name", ""))),
            )
        )
        for slot in slots
    ]
    cells: list[Cell] = []
    index = 0
    while index < len(slots):
        held = holders[index]
        ids = [t.get("id") for t in held]
        span = 1
        while index + span < len(slots) and [t.get("id") for t in holders[index + span]] == ids:
            span += 1
        cells.append(
            Cell(
                start=clock(slots[index]),
                end=clock(slots[index] + span * STEP_MINUTES),
                span=span,
                times=held,
            )
        )
        index += span
    return tuple(cells)


# --- the applications -------------------------------------------------------------------------


def lengths(section: Mapping[str, Any]) -> str:
    """`60–90 min`, or `90 min` when the minimum is the maximum."""
    low, high = section.get("min_minutes"), section.get("max_minutes")
    return f"{low} min" if low == high else f"{low}–{high} min"


def hall_names(section: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """The section's halls in its own order, by name."""
    return [names.get(str(space_id), str(space_id)) for space_id in section.get("halls", [])]


def ranges(found: Iterable[Mapping[str, Any]], day_names: Mapping[int, str]) -> list[str]:
    """Weekly time ranges as «tirsdag 18:00–20:00», by weekday and start."""
    ordered = sorted(found, key=lambda r: (int(r["weekday"]), minutes(r["start"])))
    return [
        f"{day_names.get(int(r['weekday']), r['weekday'])} "
        f"{str(r['start'])[:5]}–{str(r['end'])[:5]}"
        for r in ordered
    ]


def section_choices(applications: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The sections of the applications by id, as «Club – section» for a choice list."""
    choices = {}
    for application in applications:
        club = str(application.get("organisation_name", ""))
        for section in application.get("sections", []):
            choices[str(section["id"])] = f"{club} – {section.get('name', '')}"
    return dict(sorted(choices.items(), key=lambda item: item[1].casefold()))


def space_choices(spaces: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {
        str(s["space_id"]): f"{s.get('site_name', '')} – {s.get('space_name', '')}" for s in spaces
    }


def items(found: Any, key: str = "items") -> list[dict[str, Any]]:
    """A list answer, or the list under `key` of an object (a paged one's `items`)."""
    if isinstance(found, Mapping):
        found = found.get(key, [])
    return [dict(item) for item in found] if isinstance(found, list) else []
