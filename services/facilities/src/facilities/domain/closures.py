"""Closures: periods when a whole site or one space is not lent out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from facilities.domain.enums import ClosureReason
from samspill.errors import RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import local_interval, norwegian_public_holidays

MAX_CLOSURE = timedelta(days=366)


@dataclass(frozen=True)
class Closure:
    interval: Interval
    reason: ClosureReason
    space_id: str | None = None  # None: the whole site

    def validate(self, space_retired: bool = False, now: datetime | None = None) -> None:
        if self.space_id is not None and space_retired:
            raise RuleViolation(
                "The space is retired; there is nothing to close.",
                "Lokalet er tatt ut av bruk; det er ingenting å stenge.",
            )
        if self.interval.duration > MAX_CLOSURE:
            raise RuleViolation(
                "A closure can last at most one year; retire the space instead.",
                "En stenging kan vare i høyst ett år; ta heller lokalet ut av bruk.",
            )
        if now is not None and self.interval.end <= now:
            raise RuleViolation(
                "The closure lies entirely in the past.", "Stengingen ligger helt i fortiden."
            )

    def affected_spaces(
        self, site_spaces: Iterable[str], conflicts: Mapping[str, frozenset[str]]
    ) -> frozenset[str]:
        """Spaces that cannot be used: the closed space with its parts and the wholes it is
        part of (see `conflict_sets`), or every space of the site."""
        if self.space_id is None:
            return frozenset(site_spaces)
        return conflicts.get(self.space_id, frozenset({self.space_id}))


def holiday_closures(site_closes_on_holidays: bool, years: Iterable[int]) -> list[tuple[date, str]]:
    """The Norwegian public holidays a site is closed on, by date, with bokmål names."""
    if not site_closes_on_holidays:
        return []
    return sorted(norwegian_public_holidays(years).items())


def holiday_closure(day: date, space_id: str | None = None) -> Closure:
    """A whole-day closure for a holiday, from local midnight to local midnight."""
    return Closure(local_interval(day, time(0, 0), time(0, 0)), ClosureReason.HOLIDAY, space_id)
