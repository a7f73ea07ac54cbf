"""When reminders fall due, and which slots are still free on an evening (pure rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import samspill.availability as availability
from notifications.domain.messages import FreeSlot
from samspill.availability import WindowView
from samspill.booking_rules import BookingRules
from samspill.intervals import Interval
from samspill.recurrence import MIDNIGHT, local_date, local_interval, resolve_local


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
class SpaceEvening:
    """One space of a site: its booking rules, windows, and what takes time from them."""

    name: str
    rules: BookingRules
    windows: tuple[WindowView, ...]
    closed: tuple[Interval, ...] = field(default=())
    booked: tuple[Interval, ...] = field(default=())


def free_slots(spaces: Sequence[SpaceEvening], day: date, *, now: datetime) -> list[FreeSlot]:
    """What booking would still accept on local `day`, from `now` on, by the kernel's rule."""
    evening = local_interval(day, MIDNIGHT, MIDNIGHT)
    slots = [
        FreeSlot(space.name, slot.start, slot.end)
        for space in spaces
        for slot in availability.free_slots(
            space.rules, evening, space.windows, space.closed, space.booked, now=now
        )
    ]
    return sorted(slots, key=lambda s: (s.start, s.space))
