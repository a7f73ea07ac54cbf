"""Small builders for the booking domain tests: one school gym, its parts and its windows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from booking.domain import BookingRules, BusyInterval, ClosureView, SpaceView, WindowView
from samspill.intervals import Interval
from samspill.recurrence import OSLO

SITE = "school-1"
GYM = "gym"
GYM_PART = "gym-a"
OTHER_SPACE = "classroom"

RULES = BookingRules(
    min_minutes=60,
    max_minutes=240,
    granularity_minutes=30,
    horizon_days=180,
    buffer_minutes=0,
    cancellation_deadline_hours=24,
)


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Oslo wall time (first instant when ambiguous), as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def gym(**changes: object) -> SpaceView:
    space = SpaceView(
        space_id=GYM,
        site_id=SITE,
        name="Gymsal",
        capacity=30,
        rules=RULES,
        conflicts_with=frozenset({GYM_PART}),
    )
    return replace(space, **changes)  # type: ignore[arg-type]


def with_rules(space: SpaceView, **changes: object) -> SpaceView:
    return replace(space, rules=replace(space.rules, **changes))  # type: ignore[arg-type]


def evening_window(
    valid_from: date = date(2026, 8, 1),
    valid_to: date = date(2027, 6, 30),
    withdrawn: frozenset[date] = frozenset(),
    space_id: str = GYM,
) -> WindowView:
    """Monday to Thursday 17:00–22:00."""
    return WindowView(
        window_id="w-evening",
        space_id=space_id,
        weekdays=frozenset({0, 1, 2, 3}),
        start=time(17),
        end=time(22),
        valid_from=valid_from,
        valid_to=valid_to,
        withdrawn_dates=withdrawn,
    )


def night_window(day: date, space_id: str = GYM) -> WindowView:
    """00:00–06:00 on one day, to reach across a daylight-saving switch."""
    return WindowView.one_off("w-night", space_id, day, time(0), time(6))


def closure(
    interval: Interval, space_id: str | None = GYM, site_id: str = SITE, reason: str = "exam"
) -> ClosureView:
    return ClosureView(interval=interval, reason=reason, space_id=space_id, site_id=site_id)


def busy(interval: Interval, space_id: str = GYM, booking_id: str = "b-1") -> BusyInterval:
    return BusyInterval(space_id=space_id, interval=interval, booking_id=booking_id)
