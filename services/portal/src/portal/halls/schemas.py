"""The hall search form: what the visitor typed, what it means, and what could not be read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from portal.domain.halls import (
    ACCESSIBILITY_FACTS,
    EVENING,
    SEARCH_DAYS_AHEAD,
    HallInputError,
    Hours,
    default_day,
    parse_choice,
    parse_day,
    parse_hours,
    parse_size,
)
from portal.pages import N_
from samspill.recurrence import OSLO

T = TypeVar("T")
VIEWS = ("liste", "uke")
HOUR_CHOICES = tuple(range(0, 25))

INPUT_MESSAGES = {
    ("dato", "not_a_date"): N_(
        "The date does not exist or could not be read. Write it as day.month.year, for "
        "example 9.3.2027."
    ),
    ("dato", "past"): N_("The date has passed. Choose today or a later date."),
    ("dato", "too_far"): N_(
        "Halls can be searched at most %(days)s days ahead. Choose an earlier date."
    ),
    ("fra", "not_an_hour"): N_("Choose a whole hour from 0 to 23."),
    ("til", "not_an_hour"): N_("Choose a whole hour from 1 to 24."),
    ("til", "end_before_start"): N_("The end must be later than the start."),
    ("storrelse", "not_a_size"): N_(
        "Write the number of people as a whole number from 1 upwards, for example 30."
    ),
    ("bydel", "unknown"): N_("We do not know that district. Choose one from the list."),
    ("aktivitet", "unknown"): N_("We do not know that activity. Choose one from the list."),
    ("tilgjengelighet", "unknown"): N_(
        "We do not know that accessibility need. Choose from the list."
    ),
    ("visning", "unknown"): N_("Choose to show the results as a list or as a week grid."),
}

ACCESSIBILITY_LABELS = {
    "step_free_entrance": N_("Step-free entrance"),
    "accessible_toilet": N_("Accessible toilet"),
    "hearing_loop": N_("Hearing loop"),
    "parking": N_("Parking"),
    "transit_stop": N_("Public transport nearby"),
}
SPACE_KINDS = {
    "gym": N_("gym"),
    "classroom": N_("classroom"),
    "auditorium": N_("auditorium"),
    "music_room": N_("music room"),
    "kitchen": N_("school kitchen"),
    "meeting_room": N_("meeting room"),
    "hall_part": N_("part of a hall"),
    "outdoor_field": N_("outdoor area"),
    "workshop": N_("workshop"),
    "other": N_("other room"),
}
SITE_KINDS = {
    "school": N_("school"),
    "kindergarten": N_("kindergarten"),
    "sports_hall": N_("sports hall"),
    "culture_house": N_("culture house"),
    "community_house": N_("community house"),
    "equipment_centre": N_("equipment centre"),
    "outdoor": N_("outdoor area"),
}
CATEGORIES = {
    "children_youth": N_("Children and young people under 20 (voluntary organisations)"),
    "non_profit": N_("Voluntary and non-profit organisations"),
    "commercial": N_("Commercial organisers"),
    "private": N_("Private persons"),
}
STATES = {
    "free": N_("Available"),
    "booked": N_("Booked"),
    "closed": N_("Closed"),
    "not_released": N_("Not open for letting"),
    "past": N_("Passed"),
}


@dataclass(frozen=True)
class InputProblem:
    name: str  # the form field
    message: str  # an English msgid, translated on the page
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class HallSearch:
    """The form as sent (kept as typed) and, when it could be read, what it asks for."""

    dato: str = ""
    fra: str = ""
    til: str = ""
    bydel: str = ""
    aktivitet: str = ""
    storrelse: str = ""
    tilgjengelighet: list[str] = field(default_factory=list)
    visning: str = "liste"
    day: date | None = None
    hours: Hours = field(default_factory=lambda: Hours(*EVENING))
    min_size: int | None = None
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, name: str) -> InputProblem | None:
        return next((p for p in self.problems if p.name == name), None)


def read_search(
    params: dict[str, str],
    needs: Sequence[str],
    now: datetime,
    districts: Iterable[str],
    activities: Iterable[str],
) -> HallSearch:
    """Read the search form; every field that cannot be used becomes a problem beside it."""
    today = now.astimezone(OSLO).date()
    search = HallSearch(
        dato=params.get("dato", "").strip()[:40],
        fra=params.get("fra", "").strip()[:10],
        til=params.get("til", "").strip()[:10],
        bydel=params.get("bydel", "").strip()[:100],
        aktivitet=params.get("aktivitet", "").strip()[:100],
        storrelse=params.get("storrelse", "").strip()[:20],
        tilgjengelighet=[need[:40] for need in needs[:10]],
        visning=params.get("visning", "liste").strip()[:10] or "liste",
    )
    search.day = _read(search, parse_day, search.dato, today)
    if search.day is None and search.ok:
        search.day = default_day(now)
    search.hours = _read(search, parse_hours, search.fra, search.til) or search.hours
    search.min_size = _read(search, parse_size, search.storrelse)
    _read(search, parse_choice, search.bydel, "bydel", districts)
    _read(search, parse_choice, search.aktivitet, "aktivitet", activities)
    for need in search.tilgjengelighet:
        _read(search, parse_choice, need, "tilgjengelighet", ACCESSIBILITY_FACTS)
    _read(search, parse_choice, search.visning, "visning", VIEWS)
    return search


def _read(search: HallSearch, parse: Callable[..., T], *args: Any) -> T | None:
    """`parse(*args)`, or None with the problem noted on the search."""
    try:
        return parse(*args)
    except HallInputError as refused:
        _refuse(search, refused)
        return None


def _refuse(search: HallSearch, refused: HallInputError) -> None:
    if search.problem(refused.field) is not None:
        return
    message = INPUT_MESSAGES[(refused.field, refused.code)]
    values: dict[str, object] = {"days": SEARCH_DAYS_AHEAD} if refused.code == "too_far" else {}
    search.problems.append(InputProblem(refused.field, message, values))
