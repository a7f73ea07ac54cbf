"""Free time of a space: its release windows, minus closures and bookings (widened by the
buffer), cut to the booking horizon, rounded inward to the time grid and long enough.

The one rule for what may still be booked: booking answers `/availability` and accepts
bookings by it, notifications suggests alternatives after a closure by it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from samspill.booking_rules import BookingRules
from samspill.intervals import Interval, intersect, merge, subtract
from samspill.recurrence import MIDNIGHT, OSLO, local_interval, weekly_occurrences
from samspill.timegrid import round_inward

__all__ = [
    "DayTime",
    "WindowView",
    "blocked_intervals",
    "bookable_period",
    "days_time",
    "free_slots",
    "join_days",
    "local_day",
    "released_time",
    "shortest_slot",
    "slots_in",
    "slots_over_days",
]

Piece = TypeVar("Piece", bound=Sequence[Any])


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
    open_time = subtract(released_time(windows, usable), blocked_intervals(rules, closed, booked))
    return slots_in(rules, open_time, min_minutes)


def released_time(windows: Iterable[WindowView], within: Interval) -> list[Interval]:
    """When the windows are open within `within`: their occurrences cut to it, merged."""
    return intersect([o for window in windows for o in window.occurrences(within=within)], [within])


def slots_in(
    rules: BookingRules, open_time: Iterable[Interval], min_minutes: int
) -> list[Interval]:
    """Each stretch of open time rounded inward to the grid, kept when long enough."""
    shortest = shortest_slot(rules, min_minutes)
    slots = (round_inward(stretch, rules.granularity_minutes, OSLO) for stretch in open_time)
    return [slot for slot in slots if slot is not None and slot.duration >= shortest]


def shortest_slot(rules: BookingRules, min_minutes: int) -> timedelta:
    return timedelta(minutes=max(min_minutes, rules.min_minutes))


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


# --- a space's time one local day at a time ---------------------------------------------------


@dataclass(frozen=True)
class DayTime:
    """A space's time on one local day, each part cut to the day and merged: when its windows
    are open (`released`), what of that no closure or booking blocks (`open`), and when it is
    closed (`closed`).

    It does not depend on the clock: the time already passed and the booking horizon are cut
    when the days of a period are joined (`slots_over_days`), so a day's time can be kept until
    what it was computed from changes. Joined over the days of a period it gives exactly what
    `free_slots` gives for the period, stretches across midnight included.
    """

    released: list[Interval]
    open: list[Interval]
    closed: list[Interval]


@lru_cache(maxsize=4096)
def local_day(day: date) -> Interval:
    """Local midnight to the next, in UTC (23 or 25 hours on the daylight-saving days)."""
    return local_interval(day, MIDNIGHT, MIDNIGHT)


def days_time(
    rules: BookingRules,
    days: Sequence[date],
    windows: Iterable[WindowView],
    closed: Iterable[Interval],
    booked: Iterable[Interval],
) -> list[DayTime]:
    """The space's `DayTime` on each local date of `days`; `closed` and `booked` as for
    `free_slots`, with at least everything that reaches into the days (booked time by its
    buffer too). Blocked time is merged once for all the days, not once per day."""
    closures = list(closed)
    blocked = blocked_intervals(rules, closures, booked)
    closed_time = merge(closures)
    window_list = list(windows)
    found = []
    for day in days:
        bounds = local_day(day)
        released = released_time(window_list, bounds)
        found.append(
            DayTime(
                released=released,
                open=subtract(released, _reaching(blocked, bounds)),
                closed=intersect(_reaching(closed_time, bounds), [bounds]),
            )
        )
    return found


def _reaching(merged: list[Interval], bounds: Interval) -> list[Interval]:
    """The intervals of a merged (sorted, disjoint) list that overlap `bounds`."""
    first = bisect.bisect_right(merged, bounds.start, key=lambda interval: interval.end)
    last = bisect.bisect_left(merged, bounds.end, lo=first, key=lambda interval: interval.start)
    return merged[first:last]


def join_days(
    days: Iterable[Iterable[Piece]], start: Any, end: Any
) -> list[tuple[Any, Any, Piece | None]]:
    """The pieces of consecutive days as the stretches they make within [start, end).

    A piece is a sequence whose first two items are its start and end (instants, or any
    ordered numbers standing for them); each day's pieces are sorted, merged and within the
    day. Pieces that meet at midnight join into one stretch. Each stretch comes with its piece
    when it is one piece, uncut, so what was worked out for the piece alone holds for it.
    """
    joined: list[tuple[Any, Any, Piece | None]] = []
    for pieces in days:
        for piece in pieces:
            first, last = piece[0], piece[1]
            if last <= start or first >= end:
                continue
            low = first if first > start else start
            high = last if last < end else end
            if joined and joined[-1][1] == low:
                joined[-1] = (joined[-1][0], high, None)
            else:
                joined.append((low, high, piece if low == first and high == last else None))
    return joined


def slots_over_days(
    rules: BookingRules,
    days: Sequence[DayTime],
    period: Interval,
    min_minutes: int = 0,
    *,
    now: datetime | None = None,
) -> list[Interval]:
    """`free_slots` over `period` from the `DayTime` of each local date it touches, in order."""
    usable = bookable_period(rules, period, now) if now is not None else period
    if usable is None:
        return []
    pieces = ([(i.start, i.end) for i in day.open] for day in days)
    stretches = join_days(pieces, usable.start, usable.end)
    return slots_in(rules, [Interval(start, end) for start, end, _ in stretches], min_minutes)
