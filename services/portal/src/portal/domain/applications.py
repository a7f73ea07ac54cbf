"""Pure rules of the season application pages: the application form as typed (sections with
ranked halls and weekly times, kept as text so a refused form comes back filled in), what it
sends to booking, which section and field a refusal is about, and the rounds and applications
a club sees grouped for the overview.

Pure: the routes hand in what the APIs answered and today's Oslo date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

AGE_GROUPS = ("children", "youth", "adults", "seniors", "mixed")
HALL_CHOICES = 3
PREFERRED_TIMES = 2
ACCEPTABLE_TIMES = 3
MAX_SECTIONS = 20
MAX_TEXT = 200
MAX_NOTE = 2000
MAX_NUMBER = 100_000
OPEN_STATES = frozenset({"open"})
SENT = "results_sent"
_SECTION_KEY = re.compile(r"^s([0-9]{1,2})-")
_CLOCK = re.compile(r"^([0-9]{1,2})[:.]?([0-9]{2})$")


class Problem(StrEnum):
    """Why the portal does not send a field yet (the page words each one)."""

    NAME = "name"
    ACTIVITY = "activity"
    AGE_GROUP = "age_group"
    WHOLE_NUMBER = "whole_number"
    HALL = "hall"
    SAME_HALL = "same_hall"
    TIME = "time"
    END_AFTER_START = "end_after_start"
    WEEKDAY = "weekday"
    PREFERRED = "preferred"
    NOTE = "note"


@dataclass(frozen=True)
class TimeFields:
    """A weekly time range as typed: weekday (0 = Monday), from and to (HH:MM); all empty when
    not used."""

    day: str = ""
    start: str = ""
    end: str = ""

    @property
    def empty(self) -> bool:
        return not (self.day or self.start or self.end)


def _blank_times(count: int) -> tuple[TimeFields, ...]:
    return tuple(TimeFields() for _ in range(count))


@dataclass(frozen=True)
class SectionFields:
    """One section of the form as typed. `halls` are space ids, best first (empty: no choice)."""

    name: str = ""
    activity: str = ""
    age_group: str = ""
    group_size: str = ""
    times_per_week: str = "1"
    min_minutes: str = ""
    max_minutes: str = ""
    halls: tuple[str, ...] = ("",) * HALL_CHOICES
    preferred: tuple[TimeFields, ...] = field(default_factory=lambda: _blank_times(2))
    acceptable: tuple[TimeFields, ...] = field(default_factory=lambda: _blank_times(3))
    team_id: str = ""
    section_id: str = ""  # the API's id once stored (results are shown by it)


@dataclass(frozen=True)
class ApplicationFields:
    note: str = ""
    sections: tuple[SectionFields, ...] = (SectionFields(),)


# --- reading the posted form -------------------------------------------------------------------


def _text(form: Mapping[str, Any], name: str, limit: int = MAX_TEXT * 2) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def section_indexes(form: Mapping[str, Any]) -> list[int]:
    """The indexes of the sections the form holds (`s<n>-...` fields), in order."""
    found = {int(m.group(1)) for key in form if (m := _SECTION_KEY.match(str(key)))}
    return sorted(found)[:MAX_SECTIONS]


def _times(form: Mapping[str, Any], prefix: str, count: int) -> tuple[TimeFields, ...]:
    return tuple(
        TimeFields(
            day=_text(form, f"{prefix}{n}-day"),
            start=_text(form, f"{prefix}{n}-from"),
            end=_text(form, f"{prefix}{n}-to"),
        )
        for n in range(count)
    )


def parse_section(form: Mapping[str, Any], index: int) -> SectionFields:
    p = f"s{index}-"
    return SectionFields(
        name=_text(form, p + "name"),
        activity=_text(form, p + "activity"),
        age_group=_text(form, p + "age_group"),
        group_size=_text(form, p + "group_size"),
        times_per_week=_text(form, p + "times_per_week"),
        min_minutes=_text(form, p + "min_minutes"),
        max_minutes=_text(form, p + "max_minutes"),
        halls=tuple(_text(form, f"{p}hall{n}") for n in range(HALL_CHOICES)),
        preferred=_times(form, p + "pref", PREFERRED_TIMES),
        acceptable=_times(form, p + "acc", ACCEPTABLE_TIMES),
        team_id=_text(form, p + "team_id"),
        section_id=_text(form, p + "id"),
    )


def parse_application(form: Mapping[str, Any]) -> ApplicationFields:
    sections = tuple(parse_section(form, index) for index in section_indexes(form))
    return ApplicationFields(note=_text(form, "note", MAX_NOTE * 2), sections=sections)


def with_section_added(fields: ApplicationFields) -> ApplicationFields:
    """One more empty section at the end (at most `MAX_SECTIONS`)."""
    if len(fields.sections) >= MAX_SECTIONS:
        return fields
    return replace(fields, sections=(*fields.sections, SectionFields()))


def with_section_removed(fields: ApplicationFields, index: int) -> ApplicationFields:
    """Without the section at `index` (the form keeps at least one, empty if need be)."""
    kept = tuple(s for n, s in enumerate(fields.sections) if n != index)
    return replace(fields, sections=kept or (SectionFields(),))


# --- what the API answered, as the form --------------------------------------------------------


def _padded(values: Sequence[TimeFields], count: int) -> tuple[TimeFields, ...]:
    return tuple([*values, *_blank_times(count)][:count])


def _time_fields(ranges: Iterable[Mapping[str, Any]]) -> list[TimeFields]:
    return [
        TimeFields(
            str(r.get("weekday", "")), str(r.get("start", ""))[:5], str(r.get("end", ""))[:5]
        )
        for r in ranges
    ]


def section_from_api(section: Mapping[str, Any]) -> SectionFields:
    halls = [str(h) for h in section.get("halls") or []]
    return SectionFields(
        name=str(section.get("name") or ""),
        activity=str(section.get("activity") or ""),
        age_group=str(section.get("age_group") or ""),
        group_size=str(section.get("group_size") or ""),
        times_per_week=str(section.get("times_per_week") or ""),
        min_minutes=str(section.get("min_minutes") or ""),
        max_minutes=str(section.get("max_minutes") or ""),
        halls=tuple([*halls, *("",) * HALL_CHOICES][:HALL_CHOICES]),
        preferred=_padded(_time_fields(section.get("preferred") or []), PREFERRED_TIMES),
        acceptable=_padded(_time_fields(section.get("acceptable") or []), ACCEPTABLE_TIMES),
        team_id=str(section.get("team_id") or ""),
        section_id=str(section.get("id") or ""),
    )


def application_from_api(application: Mapping[str, Any] | None) -> ApplicationFields:
    """The stored application as the form (a fresh form with one empty section when none)."""
    if not application or application.get("status") == "withdrawn":
        return ApplicationFields()
    sections = sorted(application.get("sections") or [], key=lambda s: int(s.get("position", 0)))
    return ApplicationFields(
        note=str(application.get("note") or ""),
        sections=tuple(section_from_api(s) for s in sections) or (SectionFields(),),
    )


# --- checking and the body ---------------------------------------------------------------------


def clock(text: str) -> str | None:
    """`18:00`, `18.00`, `1800` or `8:30` as `HH:MM`; None when it is not a time of day."""
    found = _CLOCK.match(text.strip())
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _whole(text: str) -> int | None:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_NUMBER else None


@dataclass
class Checked:
    """The body to send, or the problems by field name (`s<n>-<field>`)."""

    body: dict[str, Any] | None = None
    problems: dict[str, Problem] = field(default_factory=dict)


def _check_times(
    times: Sequence[TimeFields], prefix: str, problems: dict[str, Problem]
) -> list[dict[str, Any]]:
    ranges = []
    for n, typed in enumerate(times):
        if typed.empty:
            continue
        name = f"{prefix}{n}"
        day = int(typed.day) if typed.day.isdigit() and int(typed.day) <= 6 else None
        start, end = clock(typed.start), clock(typed.end)
        if day is None:
            problems[f"{name}-day"] = Problem.WEEKDAY
        if start is None:
            problems[f"{name}-from"] = Problem.TIME
        if end is None:
            problems[f"{name}-to"] = Problem.TIME
        elif start is not None and end <= start:
            problems[f"{name}-to"] = Problem.END_AFTER_START
        if day is not None and start and end and start < end:
            ranges.append({"weekday": day, "start": start, "end": end})
    return ranges


def _check_section(
    section: SectionFields, index: int, problems: dict[str, Problem]
) -> dict[str, Any]:
    p = f"s{index}-"
    if not section.name or len(section.name) > MAX_TEXT:
        problems[p + "name"] = Problem.NAME
    if not section.activity or len(section.activity) > MAX_TEXT:
        problems[p + "activity"] = Problem.ACTIVITY
    if section.age_group not in AGE_GROUPS:
        problems[p + "age_group"] = Problem.AGE_GROUP
    numbers = {}
    for name in ("group_size", "times_per_week", "min_minutes", "max_minutes"):
        numbers[name] = _whole(getattr(section, name))
        if numbers[name] is None:
            problems[p + name] = Problem.WHOLE_NUMBER
    halls = [hall for hall in section.halls if hall]
    if not halls:
        problems[p + "hall0"] = Problem.HALL
    elif len(set(halls)) < len(halls):
        problems[p + f"hall{len(halls) - 1}"] = Problem.SAME_HALL
    preferred = _check_times(section.preferred, p + "pref", problems)
    acceptable = _check_times(section.acceptable, p + "acc", problems)
    if not preferred and not any(k.startswith(p + "pref") for k in problems):
        problems[p + "pref0-day"] = Problem.PREFERRED
    return {
        "name": section.name,
        "activity": section.activity,
        "age_group": section.age_group,
        **numbers,
        "halls": halls,
        "preferred": preferred,
        "acceptable": acceptable,
        "team_id": section.team_id or None,
    }


def check(fields: ApplicationFields) -> Checked:
    """What the portal can tell before asking booking: everything needed is filled in and
    readable. The round's own rules (a maximum below the minimum, too many times a week, a
    time outside the round's evenings) are booking's to refuse."""
    problems: dict[str, Problem] = {}
    if len(fields.note) > MAX_NOTE:
        problems["note"] = Problem.NOTE
    sections = [_check_section(s, n, problems) for n, s in enumerate(fields.sections)]
    if problems:
        return Checked(problems=problems)
    return Checked(body={"note": fields.note or None, "sections": sections})


_API_FIELDS = {
    "name": "name",
    "activity": "activity",
    "age_group": "age_group",
    "group_size": "group_size",
    "times_per_week": "times_per_week",
    "min_minutes": "min_minutes",
    "max_minutes": "max_minutes",
    "halls": "hall0",
    "preferred": "pref0-day",
    "acceptable": "acc0-day",
    "team_id": "team_id",
}


def field_of_error(loc: Sequence[Any]) -> str | None:
    """The form field an API error's location names (`["body", "sections", 1, "max_minutes"]`
    → `s1-max_minutes`); a section as a whole → its name field; None when it names no
    section."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"]:
        parts = parts[1:]
    if parts[:1] == ["note"]:
        return "note"
    if len(parts) < 2 or parts[0] != "sections" or not parts[1].isdigit():
        return None
    prefix = f"s{int(parts[1])}-"
    if len(parts) == 2:
        return prefix + "name"
    inner = parts[2]
    if inner in ("halls", "preferred", "acceptable") and len(parts) > 3 and parts[3].isdigit():
        n = int(parts[3])
        if inner == "halls":
            return prefix + f"hall{min(n, HALL_CHOICES - 1)}"
        short = "pref" if inner == "preferred" else "acc"
        limit = PREFERRED_TIMES if inner == "preferred" else ACCEPTABLE_TIMES
        return prefix + f"{short}{min(n, limit - 1)}-day"
    named = _API_FIELDS.get(inner)
    return prefix + named if named else prefix + "name"


def section_of_field(name: str) -> int | None:
    found = _SECTION_KEY.match(name)
    return int(found.group(1)) if found else None


# --- the rounds and applications a club sees ---------------------------------------------------


def can_apply(round_: Mapping[str, Any], today: date) -> bool:
    """Whether booking takes applications to the round today: open, and today inside the
    application period."""
    if round_.get("state") not in OPEN_STATES:
        return False
    first = date.fromisoformat(str(round_["applications_open"]))
    last = date.fromisoformat(str(round_["applications_close"]))
    return first <= today <= last


def results_sent(round_: Mapping[str, Any]) -> bool:
    return round_.get("state") == SENT


@dataclass(frozen=True)
class RoundsOverview:
    open: list[Mapping[str, Any]]
    upcoming: list[Mapping[str, Any]]


def rounds_overview(rounds: Iterable[Mapping[str, Any]], today: date) -> RoundsOverview:
    """Rounds taking applications today (closing soonest first) and upcoming ones (opening
    soonest first); the others are reached through a club's applications."""
    taking = [r for r in rounds if can_apply(r, today)]
    upcoming = [
        r
        for r in rounds
        if r.get("state") == "upcoming"
        or (r.get("state") == "open" and not can_apply(r, today) and _opens_later(r, today))
    ]
    taking.sort(key=lambda r: (str(r["applications_close"]), str(r.get("name", ""))))
    upcoming.sort(key=lambda r: (str(r["applications_open"]), str(r.get("name", ""))))
    return RoundsOverview(open=taking, upcoming=upcoming)


def _opens_later(round_: Mapping[str, Any], today: date) -> bool:
    return date.fromisoformat(str(round_["applications_open"])) > today


def application_summary(sections: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many of an application's sections were granted, partly granted and refused (once
    results are sent)."""
    counts = {"granted": 0, "partly": 0, "refused": 0}
    for section in sections:
        result = section.get("result") or {}
        status = result.get("status")
        if status in counts:
            counts[status] += 1
    return counts


def minutes(text: str) -> int | None:
    """`HH:MM` as minutes after midnight."""
    found = clock(text)
    return None if found is None else int(found[:2]) * 60 + int(found[3:])


def offer_times(offer: Mapping[str, Any]) -> tuple[str, str]:
    """An offer's weekly time as `HH:MM` from and to, whether the API gives them as text
    (`start`, `end`) or as minutes after midnight (`start_minute`, `end_minute`)."""
    start, end = offer.get("start"), offer.get("end")
    if isinstance(start, str) and isinstance(end, str):
        return start[:5], end[:5]
    return _hhmm(int(offer.get("start_minute") or 0)), _hhmm(int(offer.get("end_minute") or 0))


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
