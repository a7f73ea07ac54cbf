"""The one error type of the facilities domain: a business rule was broken by the input."""

from __future__ import annotations

from datetime import datetime

from samspill.intervals import Interval


class RuleViolation(Exception):
    """A request breaks a facilities rule; the API answers 422 with both texts."""

    def __init__(self, detail_en: str, detail_nb: str) -> None:
        super().__init__(detail_en)
        self.detail_en = detail_en
        self.detail_nb = detail_nb

    def __repr__(self) -> str:
        return f"RuleViolation({self.detail_en!r}, {self.detail_nb!r})"


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
