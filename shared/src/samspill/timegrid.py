"""The slot grid: instants whose local wall time is a whole number of steps from midnight.

Bookings start and end on the grid as people read the clock in Oslo (18:00, 18:30, …), also
on the daylight-saving weekends: on the spring-forward night 02:00–03:00 has no grid points,
on the fall-back night the points 02:00–02:59 occur twice.
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from samspill.intervals import Interval
from samspill.recurrence import OSLO

__all__ = ["grid_points", "is_aligned", "round_inward"]

_MINUTES_PER_DAY = 24 * 60


def is_aligned(instant: datetime, step_minutes: int, tz: ZoneInfo = OSLO) -> bool:
    local = instant.astimezone(tz)
    if local.second or local.microsecond:
        return False
    return (local.hour * 60 + local.minute) % step_minutes == 0


def grid_points(day: date, step_minutes: int, tz: ZoneInfo = OSLO) -> list[datetime]:
    """Every grid instant on local `day`, sorted, in UTC."""
    return list(_grid_points(day, step_minutes, tz))


@lru_cache(maxsize=4096)
def _grid_points(day: date, step_minutes: int, tz: ZoneInfo) -> tuple[datetime, ...]:
    points: set[datetime] = set()
    for minute in range(0, _MINUTES_PER_DAY, step_minutes):
        wall = datetime.combine(day, time(minute // 60, minute % 60))
        for fold in (0, 1):
            local = wall.replace(tzinfo=tz, fold=fold)
            instant = local.astimezone(UTC)
            # A wall time in the spring-forward gap does not survive the round trip.
            if instant.astimezone(tz).replace(tzinfo=None) == wall:
                points.add(instant)
    return tuple(sorted(points))


def round_inward(interval: Interval, step_minutes: int, tz: ZoneInfo = OSLO) -> Interval | None:
    """The largest grid-aligned interval inside `interval`, or None if there is none."""
    points = _points_covering(interval, step_minutes, tz)
    first = bisect.bisect_left(points, interval.start)
    last = bisect.bisect_right(points, interval.end) - 1
    if first >= len(points) or last < 0 or points[last] <= points[first]:
        return None
    return Interval(points[first], points[last])


def _points_covering(interval: Interval, step_minutes: int, tz: ZoneInfo) -> list[datetime]:
    first_day = interval.start.astimezone(tz).date()
    last_day = interval.end.astimezone(tz).date()
    points: list[datetime] = []
    day = first_day
    while day <= last_day:
        points.extend(_grid_points(day, step_minutes, tz))
        day += timedelta(days=1)
    return points
