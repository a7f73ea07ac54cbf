"""Free time of a space: its release windows, minus closures and bookings (widened by the
buffer), cut to the booking horizon, rounded inward to the time grid and long enough.

The one rule for what may still be booked: booking answers `/availability` and accepts
bookings by it, notifications suggests alternatives after a closure by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from samspill.booking_rules import BookingRules
from samspill.intervals import Interval, intersect, merge, subtract
from samspill.recurrence import OSLO, weekly_occurrences
from samspill.timegrid import round_inward

__all__ = ["WindowView", "blocked_intervals", "bookable_period", "free_slots"]


@dataclass(frozen=True)
class WindowView:
    """A release window in local wall time: weekly between two dates, or one-off on one day."""

    window_id: str
    space_id: str
    weekdays: frozenset[int]
    start: time
    end: time
    valid_from: date
    valid_to: date
    withdrawn_dates: frozenset[date] = frozenset()
    tz: ZoneInfo = OSLO

    @classmethod
    def one_off(
        cls, window_id: str, space_id: str, day: date, start: time, end: time
    ) -> WindowView:
        return cls(window_id, space_id, frozenset({day.weekday()}), start, end, day, day)

    @classmethod
    def released(
        cls,
        window_id: str,
        space_id: str,
        *,
        kind: str,
        weekdays: Iterable[int],
        start: time,
        end: time,
        valid_from: date,
        valid_to: date,
        withdrawn_dates: Iterable[date] = (),
        withdrawn: bool = False,
        time_zone: str = "Europe/Oslo",
    ) -> WindowView | None:
        """A window as facilities publishes it; None once the whole window is withdrawn."""
        if withdrawn:
            return None
        one_off = kind == "one_off"
        return cls(
            window_id=window_id,
            space_id=space_id,
            weekdays=frozenset([valid_from.weekday()] if one_off else weekdays),
            start=start,
            end=end,
            valid_from=valid_from,
            valid_to=valid_from if one_off else valid_to,
            withdrawn_dates=frozenset(withdrawn_dates),
            tz=_zone(time_zone),
        )

    def occurrences(self, within: Interval | None = None) -> list[Interval]:
        """Occurrences overlapping `within` (whole, not clipped), withdrawn dates left out."""
        return list(
            _occurrences(
                self.weekdays,
                self.start,
                self.end,
                self.valid_from,
                self.valid_to,
                within,
                self.withdrawn_dates,
                self.tz,
            )
        )


# Many spaces share the same release pattern (every evening 17–22) and a search asks for the
# same period for all of them: the occurrences are worked out once per pattern and period.
@lru_cache(maxsize=4096)
def _occurrences(
    weekdays: frozenset[int],
    start: time,
    end: time,
    valid_from: date,
    valid_to: date,
    within: Interval | None,
    withdrawn_dates: frozenset[date],
    tz: ZoneInfo,
) -> tuple[Interval, ...]:
    return tuple(
        weekly_occurrences(
            weekdays,
            start,
            end,
            valid_from,
            valid_to,
            within=within,
            except_dates=withdrawn_dates,
            tz=tz,
        )
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return OSLO


def free_slots(
    rules: BookingRules,
    period: Interval,
    windows: Iterable[WindowView],
    closed: Iterable[Interval],
    booked: Iterable[Interval],
    min_minutes: int = 0,
    *,
    now: datetime | None = None,
) -> list[Interval]:
    """Sorted stretches inside `period` where a booking of one space could go, in UTC.

    `windows` are the space's own windows, `closed` the closures that apply to it and `booked`
    what bookings of it and of the spaces it conflicts with hold. Each slot lies on the
    granularity grid and lasts at least max(min_minutes, the rules' minimum). With `now`, the
    period is first cut to what the horizon allows from now.
    """
    usable = bookable_period(rules, period, now) if now is not None else period
    if usable is None:
        return []
    occurrences = [o for window in windows for o in window.occurrences(within=usable)]
    released = intersect(occurrences, [usable])
    open_time = subtract(released, blocked_intervals(rules, closed, booked))
    shortest = timedelta(minutes=max(min_minutes, rules.min_minutes))
    slots = (round_inward(stretch, rules.granularity_minutes, OSLO) for stretch in open_time)
    return [slot for slot in slots if slot is not None and slot.duration >= shortest]


def blocked_intervals(
    rules: BookingRules, closed: Iterable[Interval], booked: Iterable[Interval]
) -> list[Interval]:
    """Closures as they are and booked time widened by the buffer on both sides, merged."""
    buffer = timedelta(minutes=rules.buffer_minutes)
    return merge([*closed, *(interval.padded(buffer) for interval in booked)])


def bookable_period(rules: BookingRules, period: Interval, now: datetime) -> Interval | None:
    """`period` cut to [now, now + horizon], or None when nothing of it is left."""
    latest = now + timedelta(days=rules.horizon_days)
    start, end = max(period.start, now), min(period.end, latest)
    return Interval(start, end) if start < end else None
