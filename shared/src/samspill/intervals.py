"""Half-open time intervals over tz-aware instants, and set operations on them.

An `Interval` is `[start, end)`: two intervals that only touch do not overlap, which is
what lets a booking end at 20:00 and the next one start at 20:00 on the same space.
Datetimes may carry any time zone; all comparisons are between instants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Interval", "intersect", "merge", "subtract", "total_duration"]


@dataclass(frozen=True, order=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("Interval.start must be timezone-aware")
        if self.end.tzinfo is None or self.end.utcoffset() is None:
            raise ValueError("Interval.end must be timezone-aware")
        # Through UTC: two datetimes of one zone compare by wall clock, so local 02:00 and
        # 03:00 on the spring-forward night (the same instant) would pass as a non-empty span.
        if self.end.astimezone(UTC) <= self.start.astimezone(UTC):
            raise ValueError(f"Interval end {self.end} must be after start {self.start}")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def contains_instant(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    @property
    def duration(self) -> timedelta:
        # Subtracting aware datetimes with different tzinfo objects compares instants;
        # with the same tzinfo Python would use wall-clock difference, so go through UTC.
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    def padded(self, before: timedelta, after: timedelta | None = None) -> Interval:
        """Widen by `before` at the start and `after` (default: `before`) at the end."""
        after = before if after is None else after
        start = self.start.astimezone(UTC) - before
        end = self.end.astimezone(UTC) + after
        return Interval(start, end)

    def to_utc(self) -> Interval:
        return _checked(self.start.astimezone(UTC), self.end.astimezone(UTC))


def _checked(start: datetime, end: datetime) -> Interval:
    """An interval the set operations derive from intervals already checked (aware, and
    `start < end` by construction): made without checking again, which is most of their
    cost on a calendar of thousands of pieces."""
    interval = object.__new__(Interval)
    object.__setattr__(interval, "start", start)
    object.__setattr__(interval, "end", end)
    return interval


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union: overlapping and adjacent intervals are joined. Results are in UTC."""
    merged: list[Interval] = []
    for interval in sorted(i.to_utc() for i in intervals):
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            if interval.end > last.end:
                merged[-1] = _checked(last.start, interval.end)
        else:
            merged.append(interval)
    return merged


def subtract(base: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """The parts of `base` not covered by any cut, sorted and merged, in UTC.

    One sweep over both sorted lists: the cost grows with pieces + cuts, not their product.
    """
    remaining: list[Interval] = []
    merged_cuts = merge(cuts)
    first = 0  # the first cut that may still reach a later piece
    for piece in merge(base):
        while first < len(merged_cuts) and merged_cuts[first].end <= piece.start:
            first += 1
        remaining.extend(_subtract_one(piece, merged_cuts, first))
    return remaining


def _subtract_one(piece: Interval, merged_cuts: list[Interval], first: int) -> list[Interval]:
    result: list[Interval] = []
    cursor = piece.start
    for index in range(first, len(merged_cuts)):
        cut = merged_cuts[index]
        if cut.start >= piece.end:
            break
        if cut.start > cursor:
            result.append(_checked(cursor, cut.start))
        cursor = max(cursor, cut.end)
        if cursor >= piece.end:
            return result
    if cursor < piece.end:
        result.append(_checked(cursor, piece.end))
    return result


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Instants covered by both `a` and `b`, sorted and merged, in UTC."""
    left, right = merge(a), merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            result.append(_checked(start, end))
        if left[i].end <= right[j].end:
            i += 1
        else:
            j += 1
    return result


def total_duration(intervals: Iterable[Interval]) -> timedelta:
    """Length of the union of `intervals` (overlaps counted once)."""
    return sum((i.duration for i in merge(intervals)), timedelta())
