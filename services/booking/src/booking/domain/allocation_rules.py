"""The allocation's hard rules, its candidates and what a placement is worth.

Both solvers choose among the same candidates: weekly times on the hall's grid inside a free
time of one of the section's halls and inside one of its preferred or acceptable ranges, of a
few lengths between its minimum and maximum. The hard rules are checked here once, for the
candidates, for a staff-forced placement (`placement_errors`) and by the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from booking.domain.allocation_types import (
    PRIORITY_ORDER,
    AllocationProblem,
    Hall,
    Placement,
    Priorities,
    Section,
    WeeklyTime,
)

__all__ = [
    "Candidate",
    "Context",
    "Occupancy",
    "candidates",
    "clashes",
    "placement_errors",
    "priority_key",
]

# How many steps down a section's hall list and its own ranking still earn a bonus.
_HALL_RANKS_WEIGHED = 3
_CLUB_RANKS_WEIGHED = 5


@dataclass(frozen=True)
class Candidate:
    """A placement a solver may choose, with what it is worth to the objective."""

    section_id: str
    space_id: str
    time: WeeklyTime
    preferred: bool
    hall_rank: int  # 0 = the section's first choice
    score: int

    def placement(self) -> Placement:
        return Placement(self.section_id, self.space_id, self.time)


class Context:
    """The problem indexed: halls and sections by id, and which spaces conflict (symmetric)."""

    def __init__(self, problem: AllocationProblem) -> None:
        self.problem = problem
        self.halls: dict[str, Hall] = {h.space_id: h for h in problem.halls}
        self.sections: dict[str, Section] = {s.section_id: s for s in problem.sections}
        self.order: dict[str, int] = {s.section_id: i for i, s in enumerate(problem.sections)}
        conflicts: dict[str, set[str]] = {h.space_id: set() for h in problem.halls}
        for hall in problem.halls:
            for other in hall.conflicts_with:
                if other != hall.space_id:
                    conflicts[hall.space_id].add(other)
                    conflicts.setdefault(other, set()).add(hall.space_id)
        self.conflicts: Mapping[str, frozenset[str]] = {
            k: frozenset(v) for k, v in conflicts.items()
        }

    def blocks(self, space_a: str, space_b: str) -> bool:
        """Whether two spaces cannot be used at the same time (the same one, or conflicting)."""
        return space_a == space_b or space_b in self.conflicts.get(space_a, frozenset())

    def priority_key(self, section: Section) -> tuple[int, int, int]:
        return priority_key(section, self.order.get(section.section_id, 0))


class Occupancy:
    """The placements made so far, indexed by space and weekday, to find what blocks a time."""

    def __init__(self, context: Context, placements: Iterable[Placement] = ()) -> None:
        self.context = context
        self.by_space_day: dict[tuple[str, int], list[Placement]] = {}
        self.by_section: dict[str, list[Placement]] = {}
        for placement in placements:
            self.add(placement)

    def add(self, placement: Placement) -> None:
        key = (placement.space_id, placement.time.weekday)
        self.by_space_day.setdefault(key, []).append(placement)
        self.by_section.setdefault(placement.section_id, []).append(placement)

    def blockers(self, placement: Placement) -> list[Placement]:
        """Placements of other sections that leave no room for this one."""
        day = placement.time.weekday
        spaces = {placement.space_id} | self.context.conflicts.get(placement.space_id, frozenset())
        return [
            other
            for space in sorted(spaces)
            for other in self.by_space_day.get((space, day), ())
            if other.time.overlaps(placement.time) and other.section_id != placement.section_id
        ]

    def fits(self, placement: Placement) -> bool:
        """Whether the placement keeps every rule beside those made so far (the section's own
        count and weekdays included)."""
        section = self.context.sections[placement.section_id]
        own = self.by_section.get(placement.section_id, [])
        if len(own) >= section.times_per_week:
            return False
        if any(o.time.weekday == placement.time.weekday for o in own):
            return False
        return not self.blockers(placement)


def priority_key(section: Section, position: int = 0) -> tuple[int, int, int]:
    """The order sections are served in and wait in: class, then the club's own ranking."""
    return (PRIORITY_ORDER.index(section.priority), section.club_rank, position)


def clashes(context: Context, a: Placement, b: Placement) -> bool:
    """Whether two placements cannot both stand: the same or conflicting spaces at one time."""
    return a.time.overlaps(b.time) and context.blocks(a.space_id, b.space_id)


def score(
    priorities: Priorities, section: Section, minutes: int, preferred: bool, hall_rank: int
) -> int:
    """What a placement is worth, in hundredths of a weighted minute: its minutes weighted by
    the section's class, raised by a percentage per step of the club's own ranking, for a
    preferred time and per step up the section's hall list. The bonuses scale with the class,
    so a youth team's preferred time outweighs an adult team's, and with the default weights
    they stay below the gap between the classes."""
    percent = 100
    percent += priorities.club_rank * max(0, _CLUB_RANKS_WEIGHED - section.club_rank + 1)
    percent += priorities.preferred_time if preferred else 0
    percent += priorities.hall_rank * max(0, _HALL_RANKS_WEIGHED - hall_rank)
    return minutes * priorities.class_weight(section.priority) * percent


def _lengths(section: Section, step: int, room: int) -> list[int]:
    """A few lengths on the grid: the maximum, the minimum, their middle and the longest that
    fits the room there is."""
    low = -(-section.min_minutes // step) * step
    high = section.max_minutes // step * step
    if low > high or low > room:
        return []
    middle = (low + high) // 2 // step * step
    fitting = min(high, room // step * step)
    return sorted({n for n in (high, low, middle, fitting) if low <= n <= min(high, room)})


def candidates(context: Context, section: Section) -> list[Candidate]:
    """Every placement the solvers consider for a section, best first."""
    found: dict[tuple[str, WeeklyTime], Candidate] = {}
    priorities = context.problem.priorities
    ranges = [(r, True) for r in section.preferred] + [(r, False) for r in section.acceptable]
    for hall_rank, space_id in enumerate(section.halls):
        hall = context.halls.get(space_id)
        if hall is None or hall.capacity < section.group_size:
            continue
        step = hall.step_minutes
        for wanted, preferred in ranges:
            for free in hall.free:
                if free.weekday != wanted.weekday:
                    continue
                start = max(free.start, wanted.start)
                end = min(free.end, wanted.end)
                first = -(-start // step) * step
                for length in _lengths(section, step, end - first):
                    value = score(priorities, section, length, preferred, hall_rank)
                    for begin in range(first, end - length + 1, step):
                        time = WeeklyTime(wanted.weekday, begin, begin + length)
                        key = (space_id, time)
                        if key not in found or found[key].score < value:
                            found[key] = Candidate(
                                section.section_id, space_id, time, preferred, hall_rank, value
                            )
    return sorted(
        found.values(),
        key=lambda c: (-c.score, c.hall_rank, c.time.weekday, c.time.start, c.space_id),
    )


def placement_errors(
    problem: AllocationProblem, placement: Placement, others: Iterable[Placement]
) -> list[tuple[str, str]]:
    """The hard rules a placement would break beside `others` (English, bokmål); empty when it
    keeps them all. A hall outside the section's list is allowed: staff may force one."""
    context = Context(problem)
    section = context.sections.get(placement.section_id)
    hall = context.halls.get(placement.space_id)
    if section is None:
        return [("The section is not in this round.", "Gruppen er ikke med i denne runden.")]
    if hall is None:
        return [("The hall is not in this round.", "Hallen er ikke med i denne runden.")]
    errors: list[tuple[str, str]] = []
    time = placement.time
    if not any(free.contains(time) for free in hall.free):
        errors.append(
            (
                f"{hall.name} is not free for the season at that time.",
                f"{hall.name} er ikke ledig for sesongen på det tidspunktet.",
            )
        )
    step = hall.step_minutes
    if time.start % step or time.minutes % step:
        errors.append(
            (
                f"Times in {hall.name} start and last in steps of {step} minutes.",
                f"Tider i {hall.name} starter og varer i steg på {step} minutter.",
            )
        )
    if not section.min_minutes <= time.minutes <= section.max_minutes:
        errors.append(
            (
                f"The section asked for {section.min_minutes}–{section.max_minutes} minutes "
                f"a time, not {time.minutes}.",
                f"Gruppen søkte om {section.min_minutes}–{section.max_minutes} minutter "
                f"per gang, ikke {time.minutes}.",
            )
        )
    if section.group_size > hall.capacity:
        errors.append(
            (
                f"The group ({section.group_size}) is larger than {hall.name} holds "
                f"({hall.capacity}).",
                f"Gruppen ({section.group_size}) er større enn {hall.name} har plass til "
                f"({hall.capacity}).",
            )
        )
    rest = [o for o in others if o != placement]
    own = [o for o in rest if o.section_id == section.section_id]
    if len(own) + 1 > section.times_per_week:
        errors.append(
            (
                f"The section asked for {section.times_per_week} times a week and has them.",
                f"Gruppen søkte om {section.times_per_week} ganger i uka og har dem allerede.",
            )
        )
    if any(o.time.weekday == time.weekday for o in own):
        errors.append(
            (
                "The section already has a time that weekday.",
                "Gruppen har allerede en tid den ukedagen.",
            )
        )
    for other in rest:
        if clashes(context, placement, other):
            other_hall = context.halls.get(other.space_id)
            name = other_hall.name if other_hall else other.space_id
            errors.append(
                (
                    f"{name} is already allocated at that time.",
                    f"{name} er allerede tildelt på det tidspunktet.",
                )
            )
            break
    return errors
