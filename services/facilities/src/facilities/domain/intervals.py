"""Intervals from user input, checked as the facilities domain needs them."""

from __future__ import annotations

from datetime import datetime

from samspill.errors import RuleViolation
from samspill.intervals import Interval


def checked_interval(start: datetime, end: datetime) -> Interval:
    """An `Interval` from user input, with a `RuleViolation` instead of a `ValueError`."""
    if start.tzinfo is None or end.tzinfo is None:
        raise RuleViolation(
            "Start and end must include a time zone offset.",
            "Start og slutt må ha tidssoneforskyvning.",
        )
    if end <= start:
        raise RuleViolation("The end must be after the start.", "Slutt må være etter start.")
    return Interval(start, end)
