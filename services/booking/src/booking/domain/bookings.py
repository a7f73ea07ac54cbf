"""Booking requests: validation against the space's rules, conflicts, status and cancellation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from booking.domain.errors import LimitExceeded, SpaceBooked, TransitionNotAllowed
from booking.domain.views import (
    BookerKind,
    BookingRules,
    BusyInterval,
    ClosureView,
    SpaceView,
    WhoMayBook,
    WindowView,
    booked_space_name,
    busy_of,
    closures_of,
    window_occurrences,
)
from samspill.errors import RuleViolation
from samspill.intervals import Interval, merge
from samspill.recurrence import OSLO
from samspill.timegrid import is_aligned

__all__ = [
    "ALLOWED_TRANSITIONS",
    "BookingStatus",
    "CancellationReason",
    "booking_interval",
    "cancel",
    "check_booking",
    "check_cancellation",
    "check_conflicts",
    "check_hoarding",
    "check_rules",
    "find_closure",
    "find_conflict",
    "initial_status",
    "is_active",
    "is_in_window",
    "space_booked",
    "transition",
]


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


ALLOWED_TRANSITIONS: Mapping[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.REQUESTED: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.REJECTED, BookingStatus.CANCELLED}
    ),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED}),
    BookingStatus.REJECTED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
}

_ACTIVE = frozenset({BookingStatus.REQUESTED, BookingStatus.CONFIRMED})


class CancellationReason(StrEnum):
    BY_ORGANISATION = "by_organisation"
    BY_MANAGER = "by_manager"
    CLOSURE = "closure"
    WINDOW_WITHDRAWN = "window_withdrawn"
    SPACE_RETIRED = "space_retired"
    SERIES_CANCELLED = "series_cancelled"
    PERSON_ERASED = "person_erased"
    REQUISITION = "requisition"


def transition(current: BookingStatus, target: BookingStatus) -> BookingStatus:
    if target not in ALLOWED_TRANSITIONS[current]:
        raise TransitionNotAllowed(current, target)
    return target


def is_active(status: BookingStatus) -> bool:
    """Whether a booking in this status holds its slot."""
    return status in _ACTIVE


def initial_status(rules: BookingRules) -> BookingStatus:
    return BookingStatus.REQUESTED if rules.approval_required else BookingStatus.CONFIRMED


def booking_interval(start: datetime, end: datetime) -> Interval:
    """The requested interval in UTC (the one convention of every answer and event, whatever
    offset the caller wrote), or RuleViolation for missing zones, reversed or empty times."""
    if start.tzinfo is None or end.tzinfo is None:
        raise RuleViolation(
            "Start and end must include a time zone.",
            "Start og slutt må ha tidssone.",
        )
    if end == start:
        raise RuleViolation("The booking has zero length.", "Bookingen har ingen varighet.")
    if end < start:
        raise RuleViolation("The end must be after the start.", "Slutten må være etter starten.")
    return Interval(start.astimezone(UTC), end.astimezone(UTC))


def check_booking(
    space: SpaceView,
    interval: Interval,
    now: datetime,
    windows: Iterable[WindowView],
    closures: Iterable[ClosureView],
    participants: int,
    busy: Iterable[BusyInterval] = (),
    *,
    booker: BookerKind = BookerKind.ORGANISATION,
    ignore_booking_id: str | None = None,
) -> None:
    """Raise RuleViolation for a broken rule, then Conflict for a clash; else return.

    `ignore_booking_id` leaves a booking's own busy interval out, for re-checks on approval.
    """
    check_rules(space, interval, now, participants, booker)
    _check_window(space, interval, windows)
    _check_closures(space, interval, closures)
    check_conflicts(space, interval, busy, ignore_booking_id)


def check_rules(
    space: SpaceView,
    interval: Interval,
    now: datetime,
    participants: int,
    booker: BookerKind = BookerKind.ORGANISATION,
) -> None:
    """The rules that depend on the space alone, not on windows, closures or other bookings."""
    _check_bookable(space, booker)
    _check_timing(space.rules, interval, now)
    _check_length(space.rules, interval)
    _check_granularity(space.rules, interval)
    _check_capacity(space, participants)


def _check_bookable(space: SpaceView, booker: BookerKind) -> None:
    if space.retired:
        raise RuleViolation(
            f"{space.name} is no longer available for booking.",
            f"{space.name} kan ikke lenger bookes.",
        )
    if space.rules.who_may_book == WhoMayBook.ORGANISATIONS and booker != BookerKind.ORGANISATION:
        raise RuleViolation(
            f"Only organisations may book {space.name}.",
            f"Bare lag og foreninger kan booke {space.name}.",
        )


def _check_timing(rules: BookingRules, interval: Interval, now: datetime) -> None:
    if interval.start < now:
        raise RuleViolation("The booking starts in the past.", "Bookingen starter i fortiden.")
    check_horizon(rules, interval.start, now)


def check_horizon(rules: BookingRules, start: datetime, now: datetime) -> None:
    if start > now + timedelta(days=rules.horizon_days):
        raise RuleViolation(
            f"Bookings can be made at most {rules.horizon_days} days ahead.",
            f"Det kan bookes høyst {rules.horizon_days} dager fram i tid.",
        )


def _check_length(rules: BookingRules, interval: Interval) -> None:
    minutes = interval.duration / timedelta(minutes=1)
    if minutes < rules.min_minutes:
        raise RuleViolation(
            f"A booking must last at least {rules.min_minutes} minutes.",
            f"En booking må vare minst {rules.min_minutes} minutter.",
        )
    if minutes > rules.max_minutes:
        raise RuleViolation(
            f"A booking may last at most {rules.max_minutes} minutes.",
            f"En booking kan vare høyst {rules.max_minutes} minutter.",
        )


def _check_granularity(rules: BookingRules, interval: Interval) -> None:
    step = rules.granularity_minutes
    if not (is_aligned(interval.start, step, OSLO) and is_aligned(interval.end, step, OSLO)):
        raise RuleViolation(
            f"Start and end must fall on whole {step}-minute steps of the clock.",
            f"Start og slutt må ligge på hele {step}-minutterssteg på klokka.",
        )


def _check_capacity(space: SpaceView, participants: int) -> None:
    if participants < 1:
        raise RuleViolation(
            "The number of participants must be at least 1.",
            "Antall deltakere må være minst 1.",
        )
    if participants > space.capacity:
        raise RuleViolation(
            f"{space.name} holds at most {space.capacity} people, not {participants}.",
            f"{space.name} har plass til høyst {space.capacity} personer, ikke {participants}.",
        )


def is_in_window(space: SpaceView, interval: Interval, windows: Iterable[WindowView]) -> bool:
    """Whether the interval lies inside released time of the space.

    Occurrences that touch or overlap are joined first, so two back-to-back windows
    (17–19 and 19–22) release 17–22 as one stretch; a booking across a gap is refused.
    """
    released = merge(window_occurrences(space, windows, within=interval))
    return any(stretch.contains(interval) for stretch in released)


def _check_window(space: SpaceView, interval: Interval, windows: Iterable[WindowView]) -> None:
    if not is_in_window(space, interval, windows):
        raise RuleViolation(
            f"{space.name} is not released for booking at this time.",
            f"{space.name} er ikke frigitt for booking på dette tidspunktet.",
        )


def find_closure(
    space: SpaceView, interval: Interval, closures: Iterable[ClosureView]
) -> ClosureView | None:
    """The first closure of the space, its conflict set or its site overlapping the interval."""
    overlapping = (c for c in closures_of(space, closures) if c.interval.overlaps(interval))
    return min(overlapping, key=lambda c: c.interval, default=None)


def _check_closures(space: SpaceView, interval: Interval, closures: Iterable[ClosureView]) -> None:
    closure = find_closure(space, interval, closures)
    if closure is not None:
        raise RuleViolation(
            f"{space.name} is closed {_describe(closure.interval)} ({closure.reason}).",
            f"{space.name} er stengt {_describe_nb(closure.interval)} ({closure.reason}).",
        )


def find_conflict(
    space: SpaceView,
    interval: Interval,
    busy: Iterable[BusyInterval],
    ignore_booking_id: str | None = None,
) -> BusyInterval | None:
    """The earliest busy interval of the conflict set that the request clashes with.

    Each busy interval is widened by the space's buffer, so bookings keep that gap.
    """
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    clashing = (
        item
        for item in busy_of(space, busy, ignore_booking_id)
        if item.interval.padded(buffer).overlaps(interval)
    )
    return min(clashing, key=lambda item: item.interval, default=None)


def check_conflicts(
    space: SpaceView,
    interval: Interval,
    busy: Iterable[BusyInterval],
    ignore_booking_id: str | None = None,
) -> None:
    conflict = find_conflict(space, interval, busy, ignore_booking_id)
    if conflict is not None:
        raise space_booked(conflict.space_id, booked_space_name(space, conflict), conflict.interval)


def space_booked(space_id: str, space_name: str, interval: Interval) -> SpaceBooked:
    """The 409 naming the booked space and its interval."""
    return SpaceBooked(space_id, space_name, _describe(interval), _describe_nb(interval), interval)


def check_cancellation(
    booking_start: datetime,
    now: datetime,
    rules: BookingRules,
    reason: CancellationReason,
) -> None:
    """An organisation must cancel before the deadline; managers and the system always may."""
    if reason != CancellationReason.BY_ORGANISATION:
        return
    deadline = booking_start - timedelta(hours=rules.cancellation_deadline_hours)
    if now > deadline:
        raise RuleViolation(
            f"Bookings must be cancelled at least {rules.cancellation_deadline_hours} hours "
            "before they start; contact the manager of the space.",
            f"Bookinger må avbestilles senest {rules.cancellation_deadline_hours} timer før "
            "start; kontakt den som forvalter lokalet.",
        )


def cancel(
    current: BookingStatus,
    booking_start: datetime,
    now: datetime,
    rules: BookingRules,
    reason: CancellationReason,
) -> BookingStatus:
    """The cancelled status, if both the state machine and the deadline allow it."""
    target = transition(current, BookingStatus.CANCELLED)
    check_cancellation(booking_start, now, rules, reason)
    return target


def check_hoarding(existing_future_minutes: int, new_minutes: int, limit_hours: int | None) -> None:
    """Refuse a booking that would give the organisation more future hours than the limit."""
    if limit_hours is None:
        return
    if existing_future_minutes + new_minutes > limit_hours * 60:
        held = round(existing_future_minutes / 60, 1)
        raise LimitExceeded(
            f"The organisation already holds {held:g} future hours; the limit is "
            f"{limit_hours} hours.",
            f"Organisasjonen har allerede {held:g} framtidige timer; grensen er "
            f"{limit_hours} timer.",
        )


def _describe(interval: Interval) -> str:
    start, end = interval.start.astimezone(OSLO), interval.end.astimezone(OSLO)
    if start.date() == end.date():
        return f"on {start:%Y-%m-%d} from {start:%H:%M} to {end:%H:%M}"
    return f"from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


def _describe_nb(interval: Interval) -> str:
    start, end = interval.start.astimezone(OSLO), interval.end.astimezone(OSLO)
    if start.date() == end.date():
        return f"{start:%d.%m.%Y} fra kl. {start:%H:%M} til {end:%H:%M}"
    return f"fra {start:%d.%m.%Y kl. %H:%M} til {end:%d.%m.%Y kl. %H:%M}"
