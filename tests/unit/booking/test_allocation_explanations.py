"""What a club reads about each section: granted, offered instead, refused and waiting."""

from __future__ import annotations

import pytest

from booking.domain.allocation import (
    AgeGroup,
    AllocationProblem,
    allocate,
    allocate_greedy,
)
from tests.unit.booking.allocation_builders import TUESDAY, WEDNESDAY, at, hall, section

GYMSAL = hall(
    "gym",
    at(TUESDAY, "18:00", "20:00"),
    at(WEDNESDAY, "18:00", "19:30"),
    name="Kjeller skole – gymsal",
)
YOUTH = section("youth", club="club-y", age=AgeGroup.YOUTH, minutes=(120, 120))
ADULTS = section(
    "adults", club="club-a", minutes=(90, 120), acceptable=(at(WEDNESDAY, "17:00", "20:00"),)
)
PROBLEM = AllocationProblem(halls=(GYMSAL,), sections=(ADULTS, YOUTH))


@pytest.mark.parametrize("method", ["cp_sat", "greedy"])
def test_a_section_moved_by_a_higher_priority_one_is_told_why_and_what_instead(
    method: str,
) -> None:
    result = allocate(PROBLEM, time_limit_s=5) if method == "cp_sat" else allocate_greedy(PROBLEM)
    outcome = result.outcomes["adults"]
    assert outcome.explanation == (
        "Tuesday 18:00–20:00 in Kjeller skole – gymsal went to a youth team with higher "
        "priority; offered Wednesday 18:00–19:30 in Kjeller skole – gymsal instead."
    )
    assert outcome.explanation_nb == (
        "Tirsdag 18:00–20:00 i Kjeller skole – gymsal gikk til et ungdomslag med høyere "
        "prioritet; tilbudt onsdag 18:00–19:30 i Kjeller skole – gymsal i stedet."
    )


def test_a_section_given_its_wish_is_told_so() -> None:
    outcome = allocate_greedy(PROBLEM).outcomes["youth"]
    assert outcome.status == "granted"
    assert outcome.explanation == (
        "Granted Tuesday 18:00–20:00 in Kjeller skole – gymsal: a preferred time in the "
        "first-choice hall."
    )
    assert outcome.explanation_nb.startswith("Tildelt tirsdag 18:00–20:00 i Kjeller skole")


def test_a_refused_section_is_told_who_took_its_times_and_its_place_on_the_waiting_list() -> None:
    one = hall("gym", at(TUESDAY, "18:00", "20:00"), name="Kjeller skole – gymsal")
    result = allocate_greedy(AllocationProblem(halls=(one,), sections=(ADULTS, YOUTH)))
    outcome = result.outcomes["adults"]
    assert outcome.status == "refused"
    assert outcome.explanation == (
        "Refused. All its halls and times were taken by sections with higher priority: "
        "Tuesday 18:00–20:00 in Kjeller skole – gymsal went to a youth team with higher "
        "priority. It goes on the waiting list as number 1."
    )
    assert "ventelisten" in outcome.explanation_nb
    assert "club-y" not in outcome.explanation


def test_refused_for_size_and_for_no_free_time() -> None:
    big = section("big", size=99)
    late = section("late", club="c2", preferred=(at(TUESDAY, "21:00", "23:00"),))
    one = hall("gym", at(TUESDAY, "18:00", "20:00"))
    result = allocate_greedy(AllocationProblem(halls=(one,), sections=(big, late)))
    assert "larger than any of its halls" in result.outcomes["big"].explanation
    assert "større enn" in result.outcomes["big"].explanation_nb
    assert "None of its halls has 90 free minutes" in result.outcomes["late"].explanation
    assert result.waiting_order == ("big", "late")


def test_another_section_of_the_same_club_is_named_as_such() -> None:
    one = hall("gym", at(TUESDAY, "18:00", "20:00"))
    first = section("first", club="club-a", rank=1, minutes=(120, 120))
    second = section("second", club="club-a", rank=2, minutes=(120, 120))
    result = allocate_greedy(AllocationProblem(halls=(one,), sections=(second, first)))
    assert "another of your club's sections, ranked higher by the club" in (
        result.outcomes["second"].explanation
    )


def test_a_partly_granted_section_says_how_many_times() -> None:
    one = hall("gym", at(TUESDAY, "18:00", "20:00"))
    twice = section(
        "twice", times=2, minutes=(120, 120), acceptable=(at(WEDNESDAY, "18:00", "20:00"),)
    )
    outcome = allocate_greedy(AllocationProblem(halls=(one,), sections=(twice,))).outcomes["twice"]
    assert outcome.status == "partly"
    assert "Only 1 of 2 times a week could be given." in outcome.explanation
    assert "Bare 1 av 2 ganger i uka kunne gis." in outcome.explanation_nb
    assert "waiting list as number 1" in outcome.explanation
