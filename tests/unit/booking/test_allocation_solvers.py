"""Both allocation methods: the hard rules, divisible halls, pinned times, priority, fairness,
and CP-SAT against the greedy baseline."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from booking.domain.allocation import (
    AgeGroup,
    AllocationProblem,
    AllocationResult,
    Placement,
    Priorities,
    allocate,
    allocate_greedy,
    measure,
)
from tests.unit.booking.allocation_builders import (
    TUESDAY,
    WEDNESDAY,
    at,
    hall,
    hard_rule_breaks,
    section,
)

Solve = Callable[[AllocationProblem], AllocationResult]


def cp_sat(problem: AllocationProblem) -> AllocationResult:
    return allocate(problem, time_limit_s=5, workers=1)


METHODS = [pytest.param(cp_sat, id="cp_sat"), pytest.param(allocate_greedy, id="greedy")]

CONTESTED = at(TUESDAY, "18:00", "20:00")
YOUTH = section("youth", club="club-y", age=AgeGroup.YOUTH, minutes=(120, 120))
ADULTS = section(
    "adults",
    club="club-a",
    minutes=(90, 120),
    acceptable=(at(WEDNESDAY, "17:00", "20:00"),),
)
TWO_EVENINGS = hall(
    "gym", CONTESTED, at(WEDNESDAY, "18:00", "19:30"), name="Kjeller skole – gymsal"
)


def given(result: AllocationResult, section_id: str) -> list[Placement]:
    return [p for p in result.placements if p.section_id == section_id]


@pytest.mark.parametrize("solve", METHODS)
def test_the_youth_team_beats_the_adult_team_for_a_contested_slot(solve: Solve) -> None:
    problem = AllocationProblem(halls=(TWO_EVENINGS,), sections=(ADULTS, YOUTH))
    result = solve(problem)
    assert hard_rule_breaks(problem, result) == []
    assert [p.time for p in given(result, "youth")] == [CONTESTED]
    assert [p.time for p in given(result, "adults")] == [at(WEDNESDAY, "18:00", "19:30")]
    assert result.outcomes["youth"].status == "granted"
    assert result.outcomes["adults"].status == "granted"


@pytest.mark.parametrize("solve", METHODS)
def test_with_one_slot_the_adult_team_is_refused_and_waits(solve: Solve) -> None:
    one = hall("gym", CONTESTED)
    problem = AllocationProblem(halls=(one,), sections=(ADULTS, YOUTH))
    result = solve(problem)
    assert [p.time for p in given(result, "youth")] == [CONTESTED]
    assert result.outcomes["adults"].status == "refused"
    assert result.waiting_order == ("adults",)


@pytest.mark.parametrize("solve", METHODS)
def test_children_before_local_clubs_before_others(solve: Solve) -> None:
    one = hall("gym", CONTESTED)
    sections = (
        section("visitors", club="c1", local=False, minutes=(120, 120)),
        section("locals", club="c2", local=True, minutes=(120, 120)),
        section("kids", club="c3", age=AgeGroup.CHILDREN, minutes=(120, 120)),
    )
    result = solve(AllocationProblem(halls=(one,), sections=sections))
    assert [p.section_id for p in result.placements] == ["kids"]
    assert result.waiting_order == ("locals", "visitors")


@pytest.mark.parametrize("solve", METHODS)
def test_two_parts_of_a_divisible_hall_are_used_at_once_never_beside_the_whole(
    solve: Solve,
) -> None:
    whole = hall("whole", CONTESTED, capacity=80, conflicts_with=frozenset({"a", "b"}))
    part_a = hall("a", CONTESTED, capacity=25, conflicts_with=frozenset({"whole"}))
    part_b = hall("b", CONTESTED, capacity=25, conflicts_with=frozenset({"whole"}))
    sections = (
        section("one", club="c1", size=20, halls=("a", "b"), minutes=(120, 120)),
        section("two", club="c2", size=20, halls=("a", "b"), minutes=(120, 120)),
        section("big", club="c3", size=60, halls=("whole",), minutes=(120, 120), rank=5),
    )
    problem = AllocationProblem(halls=(whole, part_a, part_b), sections=sections)
    result = solve(problem)
    assert hard_rule_breaks(problem, result) == []
    assert {p.space_id for p in result.placements} == {"a", "b"}
    assert result.outcomes["big"].status == "refused"


@pytest.mark.parametrize("solve", METHODS)
def test_pinned_placements_are_kept_and_solved_around(solve: Solve) -> None:
    pinned = Placement("adults", "gym", CONTESTED, pinned="locked")
    problem = AllocationProblem(halls=(TWO_EVENINGS,), sections=(ADULTS, YOUTH), pinned=(pinned,))
    result = solve(problem)
    assert pinned in result.placements
    assert given(result, "adults") == [pinned]
    assert given(result, "youth") == []
    assert hard_rule_breaks(problem, result) == []


@pytest.mark.parametrize("solve", METHODS)
def test_times_a_week_one_a_day(solve: Solve) -> None:
    week = hall("gym")
    busy = section(
        "busy",
        times=3,
        minutes=(60, 60),
        preferred=tuple(at(day, "17:00", "19:00") for day in range(5)),
    )
    problem = AllocationProblem(halls=(week,), sections=(busy,))
    result = solve(problem)
    assert hard_rule_breaks(problem, result) == []
    assert len(result.placements) == 3
    assert len({p.time.weekday for p in result.placements}) == 3


def fairness_problem(priorities: Priorities) -> AllocationProblem:
    """One evening 17–20: club A's two sections fill it at their preferred time; club B's only
    section is acceptable there, so without fairness A takes everything."""
    evening = hall("gym", at(TUESDAY, "17:00", "20:00"))
    a_time = (at(TUESDAY, "17:00", "20:00"),)
    sections = (
        section("a1", club="club-a", rank=1, minutes=(90, 90), preferred=a_time),
        section("a2", club="club-a", rank=2, minutes=(90, 90), preferred=a_time),
        section(
            "b1",
            club="club-b",
            rank=1,
            minutes=(60, 90),
            preferred=(at(WEDNESDAY, "18:00", "20:00"),),
            acceptable=a_time,
        ),
    )
    return AllocationProblem(halls=(evening,), sections=sections, priorities=priorities)


def test_fairness_gives_both_competing_clubs_something() -> None:
    unfair = allocate(fairness_problem(Priorities(club_rank=0, fairness=0)), time_limit_s=5)
    assert {p.section_id for p in unfair.placements} == {"a1", "a2"}
    problem = fairness_problem(Priorities(club_rank=0))
    fair = allocate(problem, time_limit_s=5)
    assert hard_rule_breaks(problem, fair) == []
    assert "b1" in {p.section_id for p in fair.placements}
    assert {p.section_id for p in fair.placements} & {"a1", "a2"}
    assert measure(problem, fair).gini < measure(problem, unfair).gini


def test_cp_sat_meets_at_least_as_much_as_greedy_and_proves_it_on_a_small_round() -> None:
    """Greedy gives the youth team its preferred Tuesday first; CP-SAT sees that the adults can
    then only get one of their two times and moves the youth team to Wednesday."""
    week = hall("gym", at(TUESDAY, "18:00", "20:00"), at(WEDNESDAY, "17:00", "21:00"))
    youth = section(
        "youth",
        club="club-y",
        age=AgeGroup.YOUTH,
        minutes=(120, 120),
        acceptable=(at(WEDNESDAY, "17:00", "21:00"),),
    )
    adults = section(
        "adults",
        club="club-a",
        times=2,
        minutes=(120, 120),
        acceptable=(at(WEDNESDAY, "17:00", "21:00"),),
    )
    problem = AllocationProblem(halls=(week,), sections=(youth, adults))
    greedy, solved = allocate_greedy(problem), allocate(problem, time_limit_s=5)
    assert solved.optimal
    assert not greedy.optimal
    assert measure(problem, greedy).met_share == pytest.approx(4 / 6)
    assert measure(problem, solved).met_share == pytest.approx(1.0)
    assert solved.waiting_order == ()
    assert greedy.waiting_order == ("adults",)
