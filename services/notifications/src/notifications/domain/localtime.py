"""Local time in Europe/Oslo for feeds and messages: conversion and the repeated hour.

The time zone and the rules for wall times are the kernel's (`samspill.recurrence`)."""

from __future__ import annotations

from datetime import UTC, datetime

from samspill.recurrence import OSLO

__all__ = ["OSLO", "is_in_repeated_hour", "require_aware", "to_oslo", "to_utc"]


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
