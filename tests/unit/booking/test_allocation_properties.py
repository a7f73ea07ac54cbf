"""Every allocation either method makes keeps every hard rule, on random small rounds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.domain.allocation import (
    AgeGroup,
    AllocationProblem,
    Hall,
    Placement,
    Section,
    WeeklyTime,
    allocate,
    allocate_greedy,
    placement_errors,
)
from tests.unit.booking.allocation_builders import hard_rule_breaks

DAYS = 3
SLOTS = range(17 * 2, 23 * 2 + 1)  # half hours 17:00..23:00


@st.composite
def weekly(draw: st.DrawFn, shortest: int = 1) -> WeeklyTime:
    day = draw(st.integers(0, DAYS - 1))
    start = draw(st.sampled_from(SLOTS[:-shortest]))
    end = draw(st.integers(start + shortest, SLOTS[-1]))
    return WeeklyTime(day, start * 30, end * 30)


@st.composite
def problems(draw: st.DrawFn) -> AllocationProblem:
    halls = [
        Hall(
            "whole",
            "Hall – whole",
            "site",
            draw(st.integers(20, 60)),
            tuple(draw(st.lists(weekly(), min_size=1, max_size=4))),
            frozenset({"part-a", "part-b"}),
        )
    ]
    for part in ("part-a", "part-b"):
        halls.append(Hall(part, f"Hall – {part}", "site", 20, halls[0].free, frozenset({"whole"})))
    halls.append(
        Hall(
            "gym",
            "Gym",
            "other",
            draw(st.integers(10, 30)),
            tuple(draw(st.lists(weekly(), min_size=1, max_size=4))),
        )
    )
    sections = []
    for n in range(draw(st.integers(1, 6))):
        low = draw(st.sampled_from((30, 45, 60, 90)))
        high = draw(st.integers(low, 150))
        sections.append(
            Section(
                section_id=f"s{n}",
                club_id=f"c{draw(st.integers(0, 2))}",
                name=f"s{n}",
                age_group=draw(st.sampled_from(list(AgeGroup))),
                local=draw(st.booleans()),
                club_rank=draw(st.integers(1, 3)),
                group_size=draw(st.integers(5, 40)),
                times_per_week=draw(st.integers(1, 3)),
                min_minutes=low,
                max_minutes=high,
                halls=tuple(
                    draw(
                        st.lists(
                            st.sampled_from([h.space_id for h in halls]),
                            min_size=1,
                            max_size=3,
                            unique=True,
                        )
                    )
                ),
                preferred=tuple(draw(st.lists(weekly(2), min_size=1, max_size=3))),
                acceptable=tuple(draw(st.lists(weekly(2), max_size=2))),
            )
        )
    return AllocationProblem(halls=tuple(halls), sections=tuple(sections))


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_keeps_every_rule(problem: AllocationProblem, placements: tuple[Placement, ...]) -> None:
    for placement in placements:
        others = [p for p in placements if p != placement]
        assert placement_errors(problem, placement, others) == []


@SETTINGS
@given(problems())
def test_greedy_keeps_every_hard_rule(problem: AllocationProblem) -> None:
    result = allocate_greedy(problem)
    assert hard_rule_breaks(problem, result) == []
    assert_keeps_every_rule(problem, result.placements)
    assert set(result.outcomes) == {s.section_id for s in problem.sections}


@SETTINGS
@given(problems())
def test_cp_sat_keeps_every_hard_rule_and_explains_every_section(
    problem: AllocationProblem,
) -> None:
    result = allocate(problem, time_limit_s=2, workers=1)
    assert hard_rule_breaks(problem, result) == []
    assert_keeps_every_rule(problem, result.placements)
    for outcome in result.outcomes.values():
        assert outcome.explanation
        assert outcome.explanation_nb
    waiting = {s for s, o in result.outcomes.items() if o.status != "granted"}
    assert set(result.waiting_order) == waiting
