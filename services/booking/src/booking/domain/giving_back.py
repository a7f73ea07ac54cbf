"""Giving time back: which booked time a club may give back, and whether freed time fits a
club waiting for it directly.

Freed time is offered to one club at a time, held for a short while; these rules decide what
is offered, the use cases hold it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from booking.domain.allocation_types import WeeklyTime
from samspill.errors import Conflict, RuleViolation

__all__ = [
    "DirectWish",
    "check_direct_wish",
    "check_give_back_date",
    "check_give_back_from",
    "direct_fit",
    "direct_wish",
    "hold_key",
]


@dataclass(frozen=True)
class DirectWish:
    """What a club on the direct waiting list asked for: a weekly time in one hall."""

    space_id: str
    time: WeeklyTime
    group_size: int


def direct_fit(
    wish: DirectWish, space_id: str, capacity: int, freed: WeeklyTime
) -> WeeklyTime | None:
    """The club's wished time when it lies inside the freed time in the same hall and the
    group fits the hall; else None (a direct wish is taken whole or not at all)."""
    if wish.space_id != space_id or wish.group_size > capacity:
        return None
    wanted = wish.time
    if wanted.weekday != freed.weekday or wanted.start < freed.start or wanted.end > freed.end:
        return None
    return wanted


def check_give_back_date(start: datetime, now: datetime) -> None:
    """Only a date still ahead may be given back (409 otherwise)."""
    if start <= now:
        raise Conflict(
            "Only a booking that has not started yet can be given back.",
            "Bare en booking som ikke har begynt ennå, kan gis tilbake.",
        )


def check_give_back_from(from_date: date, today: date) -> None:
    """The rest of a series is given back from today or a later date (409 otherwise)."""
    if from_date < today:
        raise Conflict(
            f"{from_date.isoformat()} has passed; give back from today or later.",
            f"{from_date.isoformat()} er passert; gi tilbake fra i dag eller senere.",
        )


def hold_key(namespace: str, freed_id: str) -> str:
    """The Redis key that holds freed time for the one club it is offered to."""
    return f"{namespace}:hold:{freed_id}"


GRID = 30


def direct_wish(weekday: int, start: int, end: int) -> WeeklyTime:
    """A wished weekly time; 422 unless it starts and ends on the half hour, end after start
    (an end of 00:00 is midnight)."""
    end = 24 * 60 if end == 0 else end
    if start % GRID or end % GRID or end <= start:
        raise RuleViolation(
            "The wished time must start and end on the half hour, the end after the start.",
            "Ønsket tid må begynne og slutte på halvtimen, og slutten må være etter starten.",
        )
    return WeeklyTime(weekday, start, end)


def check_direct_wish(time: WeeklyTime, group_size: int, capacity: int) -> None:
    """422 when the group is larger than the hall takes."""
    if group_size > capacity:
        raise RuleViolation(
            f"A group of {group_size} is larger than the hall takes ({capacity}).",
            f"En gruppe på {group_size} er større enn hallen tar ({capacity}).",
        )
