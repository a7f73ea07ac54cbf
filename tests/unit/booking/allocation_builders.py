"""Small allocation problems for the tests, and an independent check of every hard rule."""

from __future__ import annotations

from itertools import combinations

from booking.domain.allocation import (
    AgeGroup,
    AllocationProblem,
    AllocationResult,
    Hall,
    Section,
    WeeklyTime,
)

TUESDAY, WEDNESDAY = 1, 2


def at(weekday: int, start: str, end: str) -> WeeklyTime:
    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    return WeeklyTime(weekday, minutes(start), minutes(end))


def hall(
    space_id: str = "gym",
    *free: WeeklyTime,
    capacity: int = 30,
    conflicts_with: frozenset[str] = frozenset(),
    name: str | None = None,
) -> Hall:
    return Hall(
        space_id=space_id,
        name=name or f"Kjeller skole – {space_id}",
        site_id="kjeller",
        capacity=capacity,
        free=free or tuple(at(day, "17:00", "23:00") for day in range(5)),
        conflicts_with=conflicts_with,
    )


def section(
    section_id: str,
    *,
    club: str = "club-a",
    age: AgeGroup = AgeGroup.ADULTS,
    local: bool = True,
    rank: int = 1,
    size: int = 15,
    times: int = 1,
    minutes: tuple[int, int] = (90, 120),
    halls: tuple[str, ...] = ("gym",),
    preferred: tuple[WeeklyTime, ...] = (),
    acceptable: tuple[WeeklyTime, ...] = (),
) -> Section:
    return Section(
        section_id=section_id,
        club_id=club,
        name=section_id,
        age_group=age,
        local=local,
        club_rank=rank,
        group_size=size,
        times_per_week=times,
        min_minutes=minutes[0],
        max_minutes=minutes[1],
        halls=halls,
        preferred=preferred or (at(TUESDAY, "18:00", "20:00"),),
        acceptable=acceptable,
    )


def hard_rule_breaks(problem: AllocationProblem, result: AllocationResult) -> list[str]:
    """Every hard rule the result breaks, checked from scratch (pinned placements as given)."""
    halls = {h.space_id: h for h in problem.halls}
    sections = {s.section_id: s for s in problem.sections}
    conflicts = {h.space_id: set(h.conflicts_with) for h in problem.halls}
    for h in problem.halls:
        for other in h.conflicts_with:
            conflicts.setdefault(other, set()).add(h.space_id)
    breaks: list[str] = []
    for p in result.placements:
        if p in problem.pinned:
            continue
        s, h = sections[p.section_id], halls[p.space_id]
        if p.space_id not in s.halls:
            breaks.append(f"{p}: hall not asked for")
        if not any(f.contains(p.time) for f in h.free):
            breaks.append(f"{p}: outside the hall's free time")
        if p.time.start % h.step_minutes or p.time.minutes % h.step_minutes:
            breaks.append(f"{p}: off the grid")
        if not s.min_minutes <= p.time.minutes <= s.max_minutes:
            breaks.append(f"{p}: length")
        if s.group_size > h.capacity:
            breaks.append(f"{p}: too large for the hall")
        if not any(r.contains(p.time) for r in (*s.preferred, *s.acceptable)):
            breaks.append(f"{p}: outside the section's times")
    for s in problem.sections:
        own = [p for p in result.placements if p.section_id == s.section_id]
        if len(own) > s.times_per_week:
            breaks.append(f"{s.section_id}: too many times")
        if len({p.time.weekday for p in own}) < len(own):
            breaks.append(f"{s.section_id}: two times on one weekday")
    for a, b in combinations(result.placements, 2):
        same = a.space_id == b.space_id or b.space_id in conflicts.get(a.space_id, set())
        if same and a.time.overlaps(b.time):
            breaks.append(f"{a} and {b} overlap")
    for section_id, outcome in result.outcomes.items():
        got = [p for p in result.placements if p.section_id == section_id]
        if sorted(outcome.placements, key=repr) != sorted(got, key=repr):
            breaks.append(f"{section_id}: outcome differs from the placements")
    return breaks
