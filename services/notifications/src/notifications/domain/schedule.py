"""When reminders fall due, and which slots are still free on an evening (pure rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from notifications.domain.messages import FreeSlot
from samspill.intervals import Interval, subtract
from samspill.recurrence import local_date, local_interval, resolve_local, weekly_occurrences


def reminder_due(day: date, at: time, *, now: datetime) -> datetime | None:
    """When a "tomorrow" reminder about `day` goes out: `at` Oslo time the day before.

    Scheduled after that moment but still on the day before, it goes out at once; later
    than that, "tomorrow" would be wrong and there is no reminder.
    """
    eve = day - timedelta(days=1)
    due = resolve_local(eve, at)
    if now < due:
        return due
    return now if local_date(now) == eve else None


@dataclass(frozen=True, slots=True)
class WindowView:
    """A release window of a space, as facilities describes it (Oslo wall times)."""

    kind: str  # "weekly" or "one_off"
    weekdays: tuple[int, ...]
    start_time: time
    end_time: time
    valid_from: date
    valid_to: date
    withdrawn_dates: tuple[date, ...] = ()
    withdrawn: bool = False

    def intervals_on(self, day: date) -> list[Interval]:
        if self.withdrawn or day in self.withdrawn_dates:
            return []
        if not self.valid_from <= day <= self.valid_to:
            return []
        if self.kind == "weekly":
            return weekly_occurrences(self.weekdays, self.start_time, self.end_time, day, day)
        try:
            return [local_interval(day, self.start_time, self.end_time)]
        except ValueError:
            return []


@dataclass(frozen=True, slots=True)
class SpaceEvening:
    """One space of a site on one evening: its windows and what takes time from them."""

    name: str
    windows: tuple[WindowView, ...]
    busy: tuple[Interval, ...] = field(default=())
    min_minutes: int = 30


def free_slots(spaces: Sequence[SpaceEvening], day: date, *, now: datetime) -> list[FreeSlot]:
    """Released time on `day` not taken by bookings or closures, from `now` on, long enough."""
    slots: list[FreeSlot] = []
    for space in spaces:
        released = [i for w in space.windows for i in w.intervals_on(day)]
        past = [Interval(r.start, now) for r in released if r.start < now]
        for free in subtract(released, [*past, *space.busy]):
            if free.duration >= timedelta(minutes=space.min_minutes):
                slots.append(FreeSlot(space.name, free.start, free.end))
    return sorted(slots, key=lambda s: (s.start, s.space))
