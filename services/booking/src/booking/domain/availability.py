"""Free time of a space from the booking read model, by the kernel's one availability rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import samspill.availability as availability
from booking.domain.views import (
    BusyInterval,
    ClosureView,
    SpaceView,
    WindowView,
    busy_of,
    closures_of,
)
from samspill.availability import DayTime
from samspill.intervals import Interval

__all__ = ["blocked_intervals", "bookable_period", "days_time", "free_slots"]


def free_slots(
    space: SpaceView,
    period: Interval,
    windows: Iterable[WindowView],
    closures: Iterable[ClosureView],
    busy: Iterable[BusyInterval],
    min_minutes: int = 0,
    *,
    now: datetime | None = None,
) -> list[Interval]:
    """Sorted stretches inside `period` where a booking of the space could go, in UTC."""
    if space.retired:
        return []
    return availability.free_slots(
        space.rules,
        period,
        [window for window in windows if window.space_id == space.space_id],
        [closure.interval for closure in closures_of(space, closures)],
        [item.interval for item in busy_of(space, busy)],
        min_minutes,
        now=now,
    )


def days_time(
    space: SpaceView,
    days: Sequence[date],
    windows: Iterable[WindowView],
    closures: Iterable[ClosureView],
    busy: Iterable[BusyInterval],
) -> list[DayTime]:
    """The space's time on each local date of `days` (released, open, closed), from the same
    inputs as `free_slots`: joined over a period it gives the same slots."""
    return availability.days_time(
        space.rules,
        days,
        [window for window in windows if window.space_id == space.space_id],
        [closure.interval for closure in closures_of(space, closures)],
        [item.interval for item in busy_of(space, busy)],
    )


def blocked_intervals(
    space: SpaceView, closures: Iterable[ClosureView], busy: Iterable[BusyInterval]
) -> list[Interval]:
    """Closures of the space, its conflict set or site, and busy time widened by the buffer."""
    return availability.blocked_intervals(
        space.rules,
        [closure.interval for closure in closures_of(space, closures)],
        [item.interval for item in busy_of(space, busy)],
    )


def bookable_period(space: SpaceView, period: Interval, now: datetime) -> Interval | None:
    """`period` cut to [now, now + horizon], or None when nothing of it is left."""
    return availability.bookable_period(space.rules, period, now)
