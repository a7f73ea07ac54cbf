"""Pure rules of the booking pages: the nearest free times to offer after a conflict, and a
club's bookings split into what is coming and what has been."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

DEFAULT_STEP = timedelta(minutes=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Stretch:
    """A span of time [start, end) with aware instants."""

    start: datetime
    end: datetime


def _aligned_up(moment: datetime, step: timedelta) -> datetime:
    """The first instant on or after `moment` on the `step` grid. Oslo is a whole number of
    hours off UTC, so a grid of 15, 30 or 60 minutes in UTC is the same grid on the wall."""
    remainder = (moment - _EPOCH) % step
    return moment if not remainder else moment + (step - remainder)


def candidate_starts(
    free: Iterable[Stretch], length: timedelta, step: timedelta = DEFAULT_STEP
) -> list[datetime]:
    """Every start on the grid at which a booking of `length` fits wholly inside a free span."""
    starts: set[datetime] = set()
    for stretch in free:
        start = _aligned_up(stretch.start, step)
        while start + length <= stretch.end:
            starts.add(start)
            start += step
    return sorted(starts)


def nearest_free_times(
    free: Iterable[Stretch],
    wanted: Stretch,
    *,
    step: timedelta = DEFAULT_STEP,
    limit: int = 4,
) -> list[Stretch]:
    """Up to `limit` times of the wanted length in the free spans, nearest to the wanted start
    first (earlier before later at the same distance); never the wanted time itself."""
    length = wanted.end - wanted.start
    if length <= timedelta(0) or limit <= 0:
        return []
    starts = [s for s in candidate_starts(free, length, step) if s != wanted.start]
    starts.sort(key=lambda s: (abs(s - wanted.start), s))
    return [Stretch(start, start + length) for start in starts[:limit]]


def split_by_time(
    items: Sequence[T], now: datetime, end_of: Callable[[T], datetime]
) -> tuple[list[T], list[T]]:
    """(upcoming, past): upcoming has not ended by `now`, soonest first; past latest first."""
    upcoming = [item for item in items if end_of(item) > now]
    past = [item for item in items if end_of(item) <= now]
    upcoming.sort(key=end_of)
    past.sort(key=end_of, reverse=True)
    return upcoming, past
