"""The read model the booking rules take as input, built from facilities events.

Plain values only: the service fills them from its own tables, the rules never load anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from samspill.availability import WindowView
from samspill.booking_rules import BookingRules as SharedBookingRules
from samspill.booking_rules import WhoMayBook
from samspill.intervals import Interval

__all__ = [
    "BookerKind",
    "BookingRules",
    "BusyInterval",
    "ClosureView",
    "SpaceView",
    "WhoMayBook",
    "WindowView",
    "booked_space_name",
]


class BookerKind(StrEnum):
    ORGANISATION = "organisation"
    RESIDENT = "resident"


@dataclass(frozen=True)
class BookingRules(SharedBookingRules):
    """The shared rules as the read model holds them: refused at once when malformed."""

    def __post_init__(self) -> None:
        # Facilities validates rules before publishing; this guards the read model against a
        # malformed event (a zero grid step would otherwise fail deep inside the slot maths).
        if self.granularity_minutes < 1 or self.min_minutes < 0 or self.buffer_minutes < 0:
            raise ValueError(f"invalid booking rules: {self}")
        if self.max_minutes < self.min_minutes or self.horizon_days < 0:
            raise ValueError(f"invalid booking rules: {self}")


@dataclass(frozen=True)
class SpaceView:
    space_id: str
    site_id: str
    name: str
    capacity: int
    rules: BookingRules = field(default_factory=BookingRules)
    retired: bool = False
    # Spaces that cannot be used at the same time (a whole hall and its parts); from facilities.
    conflicts_with: frozenset[str] = frozenset()

    @property
    def conflict_set(self) -> frozenset[str]:
        """This space and every space that cannot be booked at the same time as it."""
        return self.conflicts_with | {self.space_id}


@dataclass(frozen=True)
class ClosureView:
    """A closure of one space, or of the whole site when `space_id` is None."""

    interval: Interval
    reason: str
    space_id: str | None
    site_id: str

    def applies_to(self, space: SpaceView) -> bool:
        if self.space_id is None:
            return self.site_id == space.site_id
        return self.space_id in space.conflict_set


@dataclass(frozen=True)
class BusyInterval:
    """The time an active booking of some space holds."""

    space_id: str
    interval: Interval
    booking_id: str
    # The booked space's name, for telling a requester of another space what is booked.
    space_name: str = ""


def closures_of(space: SpaceView, closures: Iterable[ClosureView]) -> list[ClosureView]:
    return [closure for closure in closures if closure.applies_to(space)]


def booked_space_name(space: SpaceView, busy: BusyInterval) -> str:
    """The name of the space a busy interval holds (the requested one or one it conflicts with)."""
    if busy.space_id == space.space_id:
        return space.name
    return busy.space_name or busy.space_id


def busy_of(
    space: SpaceView, busy: Iterable[BusyInterval], ignore_booking_id: str | None = None
) -> list[BusyInterval]:
    """Busy intervals of the space's conflict set, optionally without one booking's own."""
    conflict_set = space.conflict_set  # a new set per access: build it once, not per item
    return [
        item
        for item in busy
        if item.space_id in conflict_set and item.booking_id != ignore_booking_id
    ]


def window_occurrences(
    space: SpaceView, windows: Iterable[WindowView], within: Interval | None = None
) -> list[Interval]:
    """Occurrences of the space's own windows; windows of other spaces are ignored."""
    return [
        occurrence
        for window in windows
        if window.space_id == space.space_id
        for occurrence in window.occurrences(within)
    ]
