"""Rule errors of the facilities domain: the shared family from `samspill.rules`."""

from __future__ import annotations

from datetime import datetime

from samspill.intervals import Interval
from samspill.rules import ConflictError, NotFoundError, RuleError, RuleViolation

__all__ = ["ConflictError", "NotFoundError", "RuleError", "RuleViolation", "checked_interval"]


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
