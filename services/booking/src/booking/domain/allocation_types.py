"""The allocation's pure types: the round's halls with their free weekly time, the sections
that applied, the municipality's priorities, the times staff pinned and what the solvers answer.
Times are Oslo wall-clock minutes from midnight. `booking.domain.allocation` re-exports them
beside the solvers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

__all__ = [
    "PRIORITY_ORDER",
    "AgeGroup",
    "AllocationMetrics",
    "AllocationProblem",
    "AllocationResult",
    "Hall",
    "Outcome",
    "Placement",
    "Priorities",
    "PriorityClass",
    "Section",
    "SectionOutcome",
    "WeeklyTime",
    "priority_class",
]

MINUTES_PER_DAY = 24 * 60


class AgeGroup(StrEnum):
    CHILDREN = "children"  # under 13
    YOUTH = "youth"  # 13–19
    ADULTS = "adults"
    SENIORS = "seniors"
    MIXED = "mixed"


class PriorityClass(StrEnum):
    """The municipality's order: children and youth first, then local clubs, then the rest."""

    CHILDREN_YOUTH = "children_youth"
    LOCAL = "local"
    OTHER = "other"


def priority_class(age_group: AgeGroup, local: bool) -> PriorityClass:
    if age_group in (AgeGroup.CHILDREN, AgeGroup.YOUTH):
        return PriorityClass.CHILDREN_YOUTH
    return PriorityClass.LOCAL if local else PriorityClass.OTHER


@dataclass(frozen=True, order=True)
class WeeklyTime:
    """A time every week: `weekday` 0 = Monday, `start` and `end` minutes from midnight."""

    weekday: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6 or not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"not a weekly time: {self}")

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def overlaps(self, other: WeeklyTime) -> bool:
        return self.weekday == other.weekday and self.start < other.end and other.start < self.end

    def contains(self, other: WeeklyTime) -> bool:
        return self.weekday == other.weekday and self.start <= other.start and other.end <= self.end


PRIORITY_ORDER = (PriorityClass.CHILDREN_YOUTH, PriorityClass.LOCAL, PriorityClass.OTHER)


@dataclass(frozen=True)
class Hall:
    """A space of the round. `free` is its released weekly time inside the round's evenings,
    less what is already booked for the season; `conflicts_with` the spaces that cannot be used
    at the same time (a whole hall and its parts)."""

    space_id: str
    name: str  # as a club reads it: "Kjeller skole – gymsal"
    site_id: str
    capacity: int
    free: tuple[WeeklyTime, ...]
    conflicts_with: frozenset[str] = frozenset()
    step_minutes: int = 30  # start times and lengths on this grid


@dataclass(frozen=True)
class Section:
    """A team or group of a club asking for `times_per_week` weekly times (at most one a day)
    of `min_minutes`..`max_minutes` each, in one of `halls` (best first), inside `preferred`
    or else `acceptable` times. `club_rank` is the club's own order (1 first); `local` whether
    the club belongs to the municipality."""

    section_id: str
    club_id: str
    name: str
    age_group: AgeGroup
    local: bool
    club_rank: int
    group_size: int
    times_per_week: int
    min_minutes: int
    max_minutes: int
    halls: tuple[str, ...]
    preferred: tuple[WeeklyTime, ...]
    acceptable: tuple[WeeklyTime, ...] = ()

    @property
    def priority(self) -> PriorityClass:
        return priority_class(self.age_group, self.local)


@dataclass(frozen=True)
class Priorities:
    """The municipality's weights (kept on the round; staff may change them)."""

    children_youth: int = 1000
    local: int = 100
    other: int = 10  # adults and seniors of clubs from elsewhere
    club_rank: int = 10  # per step of the club's own ranking
    preferred_time: int = 5
    hall_rank: int = 3  # per step down the section's hall list
    fairness: int = 500  # on the share of the worst-served club

    def class_weight(self, priority: PriorityClass) -> int:
        """Weight of one met minute of a section of this class."""
        if priority is PriorityClass.CHILDREN_YOUTH:
            return self.children_youth
        return self.local if priority is PriorityClass.LOCAL else self.other


@dataclass(frozen=True)
class Placement:
    """A weekly time given to a section in a hall; `pinned` when staff locked or forced it."""

    section_id: str
    space_id: str
    time: WeeklyTime
    pinned: Literal["locked", "forced"] | None = None


@dataclass(frozen=True)
class AllocationProblem:
    halls: tuple[Hall, ...]
    sections: tuple[Section, ...]
    priorities: Priorities = field(default_factory=Priorities)
    pinned: tuple[Placement, ...] = ()  # kept as they are; the rest is solved around them


Outcome = Literal["granted", "partly", "refused"]


@dataclass(frozen=True)
class SectionOutcome:
    """What one section got and why, in words a club can read (English and bokmål)."""

    section_id: str
    status: Outcome
    placements: tuple[Placement, ...]
    explanation: str
    explanation_nb: str


@dataclass(frozen=True)
class AllocationResult:
    method: Literal["cp_sat", "greedy"]
    placements: tuple[Placement, ...]  # the pinned ones included
    outcomes: dict[str, SectionOutcome]  # one per section
    waiting_order: tuple[str, ...]  # sections not fully granted, first in line first
    seconds: float
    optimal: bool


@dataclass(frozen=True)
class AllocationMetrics:
    requested_hours: float  # a week
    met_hours: float
    met_share: float
    by_class: dict[str, float]  # met share per priority class
    gini: float  # of met share across clubs: 0 = equal
    sections_refused: int
