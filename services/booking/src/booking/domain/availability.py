"""Free time of a space: released windows minus closures and what is already booked."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from booking.domain.timegrid import round_inward
from booking.domain.views import (
    BusyInterval,
    ClosureView,
    SpaceView,
    WindowView,
    busy_of,
    closures_of,
    window_occurrences,
)
from samspill.intervals import Interval, intersect, merge, subtract
from samspill.recurrence import OSLO

__all__ = ["blocked_intervals", "bookable_period", "free_slots"]


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
    """Sorted stretches inside `period` where a booking of the space could go, in UTC.

    Each slot lies on the granularity grid and lasts at least max(min_minutes, the rules'
    minimum). With `now`, the period is first cut to what the horizon allows from now.
    """
    if space.retired:
        return []
    usable = bookable_period(space, period, now) if now is not None else period
    if usable is None:
        return []
    released = intersect(window_occurrences(space, windows, within=usable), [usable])
    open_time = subtract(released, blocked_intervals(space, closures, busy))
    shortest = timedelta(minutes=max(min_minutes, space.rules.min_minutes))
    slots = (round_inward(stretch, space.rules.granularity_minutes, OSLO) for stretch in open_time)
    return [slot for slot in slots if slot is not None and slot.duration >= shortest]


def blocked_intervals(
    space: SpaceView, closures: Iterable[ClosureView], busy: Iterable[BusyInterval]
) -> list[Interval]:
    """Closures of the space, its conflict set or site, and busy time widened by the buffer."""
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    closed = [closure.interval for closure in closures_of(space, closures)]
    booked = [item.interval.padded(buffer) for item in busy_of(space, busy)]
    return merge(closed + booked)


def bookable_period(space: SpaceView, period: Interval, now: datetime) -> Interval | None:
    """`period` cut to [now, now + horizon], or None when nothing of it is left."""
    latest = now + timedelta(days=space.rules.horizon_days)
    start, end = max(period.start, now), min(period.end, latest)
    return Interval(start, end) if start < end else None
