"""Local time in Europe/Oslo: conversion and weekly recurrence that keeps the wall time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

OSLO_TZID = "Europe/Oslo"
OSLO = ZoneInfo(OSLO_TZID)
ONE_WEEK = timedelta(weeks=1)


def require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def to_oslo(value: datetime) -> datetime:
    return value.astimezone(OSLO)


def is_in_repeated_hour(value: datetime) -> bool:
    """True when the instant's Oslo wall time occurs twice (the autumn switch hour).

    Such a wall time cannot be written as a TZID-local time that every parser
    reads alike: RFC 5545 and zoneinfo take the first pass, ical.js the second.
    """
    local = to_oslo(value)
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def weekly_occurrences(first_start: datetime, until: datetime) -> tuple[datetime, ...]:
    """Starts (UTC) of a weekly series that keeps its Oslo wall time, `until` inclusive.

    A wall time that does not exist on a spring-switch day is read with the offset
    before the gap, as RFC 5545 and PEP 495 (fold=0) both prescribe.
    """
    require_aware(first_start, "first_start")
    require_aware(until, "until")
    wall = to_oslo(first_start).replace(tzinfo=None)
    last = to_utc(until)
    starts: list[datetime] = []
    while (start := to_utc(wall.replace(tzinfo=OSLO))) <= last:
        starts.append(start)
        wall += ONE_WEEK
    return tuple(starts)
