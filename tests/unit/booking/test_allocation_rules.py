"""The hard rules of a seasonal allocation, as `placement_errors` checks a staff-forced time,
and the candidates both solvers choose among."""

from __future__ import annotations

from booking.domain.allocation import AllocationProblem, Placement, placement_errors
from booking.domain.allocation_rules import Context, candidates
from tests.unit.booking.allocation_builders import TUESDAY, WEDNESDAY, at, hall, section

GYM = hall("gym", at(TUESDAY, "17:00", "22:00"), capacity=30)
WHOLE = hall("whole", capacity=80, conflicts_with=frozenset({"part-a", "part-b"}))
PART_A = hall("part-a", capacity=25, conflicts_with=frozenset({"whole"}))
PART_B = hall("part-b", capacity=25, conflicts_with=frozenset({"whole"}))
ADULTS = section("adults", times=1, minutes=(60, 120), halls=("gym",))
PROBLEM = AllocationProblem(halls=(GYM, WHOLE, PART_A, PART_B), sections=(ADULTS,))


def errors(space: str, weekday: int, start: str, end: str, *others: Placement) -> list[str]:
    placement = Placement("adults", space, at(weekday, start, end), pinned="forced")
    return [en for en, _ in placement_errors(PROBLEM, placement, others)]


def test_a_time_keeping_every_rule_has_no_errors() -> None:
    assert errors("gym", TUESDAY, "18:00", "20:00") == []


def test_a_hall_outside_the_sections_list_may_be_forced() -> None:
    assert errors("part-a", TUESDAY, "18:00", "20:00") == []


def test_outside_the_halls_free_time() -> None:
    assert errors("gym", TUESDAY, "21:00", "23:00") == [
        "Kjeller skole – gym is not free for the season at that time."
    ]
    assert errors("gym", WEDNESDAY, "18:00", "20:00")


def test_off_the_grid() -> None:
    assert any("steps of 30 minutes" in e for e in errors("gym", TUESDAY, "18:15", "19:45"))


def test_shorter_or_longer_than_asked() -> None:
    assert any("60–120 minutes" in e for e in errors("gym", TUESDAY, "18:00", "18:30"))
    assert any("60–120 minutes" in e for e in errors("gym", TUESDAY, "17:00", "20:00"))


def test_a_group_larger_than_the_hall() -> None:
    big = section("adults", size=40, halls=("gym",))
    problem = AllocationProblem(halls=(GYM,), sections=(big,))
    placement = Placement("adults", "gym", at(TUESDAY, "18:00", "20:00"))
    assert any("larger than" in en for en, _ in placement_errors(problem, placement, ()))


def test_more_times_than_asked_and_two_on_one_weekday() -> None:
    earlier = Placement("adults", "whole", at(TUESDAY, "17:00", "18:00"))
    found = errors("gym", TUESDAY, "19:00", "20:00", earlier)
    assert "The section asked for 1 times a week and has them." in found
    assert "The section already has a time that weekday." in found


def test_no_two_placements_on_one_space_at_once() -> None:
    other = Placement("someone", "gym", at(TUESDAY, "19:00", "21:00"))
    assert errors("gym", TUESDAY, "18:00", "20:00", other) == [
        "Kjeller skole – gym is already allocated at that time."
    ]
    assert errors("gym", TUESDAY, "17:00", "19:00", other) == []


def test_a_whole_hall_and_its_parts_exclude_each_other_but_two_parts_do_not() -> None:
    part = Placement("someone", "part-a", at(TUESDAY, "18:00", "20:00"))
    assert errors("whole", TUESDAY, "19:00", "20:00", part)
    assert errors("part-b", TUESDAY, "18:00", "20:00", part) == []
    whole = Placement("someone", "whole", at(TUESDAY, "18:00", "20:00"))
    assert errors("part-a", TUESDAY, "19:00", "21:00", whole)


def test_errors_come_in_english_and_bokmal() -> None:
    placement = Placement("adults", "gym", at(WEDNESDAY, "18:00", "20:00"))
    [(en, nb)] = placement_errors(PROBLEM, placement, ())
    assert "not free" in en
    assert "ikke ledig" in nb


def test_unknown_section_or_hall() -> None:
    time = at(TUESDAY, "18:00", "19:00")
    assert placement_errors(PROBLEM, Placement("nobody", "gym", time), ())
    assert placement_errors(PROBLEM, Placement("adults", "nowhere", time), ())


def test_candidates_lie_in_free_time_wished_ranges_on_the_grid_and_within_the_lengths() -> None:
    wish = section(
        "youth",
        minutes=(60, 90),
        halls=("gym", "part-a"),
        preferred=(at(TUESDAY, "18:00", "20:00"),),
        acceptable=(at(WEDNESDAY, "17:00", "19:00"),),
    )
    problem = AllocationProblem(halls=(GYM, WHOLE, PART_A, PART_B), sections=(wish,))
    found = candidates(Context(problem), wish)
    assert found
    assert found[0].preferred
    assert found[0].space_id == "gym"
    assert found[0].time.minutes == 90
    for c in found:
        assert 60 <= c.time.minutes <= 90
        assert c.time.start % 30 == 0
        assert c.time.minutes % 30 == 0
        assert c.space_id in ("gym", "part-a")
        assert any(r.contains(c.time) for r in (*wish.preferred, *wish.acceptable))
        assert any(f.contains(c.time) for f in problem.halls[0 if c.space_id == "gym" else 2].free)
    assert {c.time.weekday for c in found if c.space_id == "gym"} == {TUESDAY}


def test_no_candidates_in_a_hall_too_small() -> None:
    big = section("big", size=50, halls=("gym", "whole"))
    found = candidates(Context(AllocationProblem(halls=(GYM, WHOLE), sections=(big,))), big)
    assert {c.space_id for c in found} == {"whole"}
