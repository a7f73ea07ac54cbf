"""Pure rules of the equipment centre's desk: which loans belong in the day's lists, what may
be done with a loan at the desk, and which units a handout swaps.

The routes hand in what booking answered and today's Oslo date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

NUMBER_LENGTH = 8
MIN_SEARCH = 2
MAX_SEARCH = 100


def loan_number(loan_id: str) -> str:
    """The short number the desk reads out: the loan id's first characters, upper case.
    Booking's search finds a loan by any beginning of its id, so this number finds it."""
    return loan_id.replace("-", "")[:NUMBER_LENGTH].upper()


def search_text(text: str) -> str | None:
    """What booking is asked to search for, or None when too short to search for."""
    words = " ".join(text.split())[:MAX_SEARCH]
    return words if len(words) >= MIN_SEARCH else None


def tomorrow(today: date) -> date:
    return today + timedelta(days=1)


@dataclass(frozen=True)
class DeskDay:
    """The loans of a day at the desk, each list earliest first."""

    pickups_today: list[dict[str, Any]] = field(default_factory=list)
    pickups_tomorrow: list[dict[str, Any]] = field(default_factory=list)
    returns_today: list[dict[str, Any]] = field(default_factory=list)
    returns_tomorrow: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)


def _day(loan: Mapping[str, Any], key: str) -> date:
    value = loan[key]
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _sorted(loans: Iterable[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(
        (dict(loan) for loan in loans), key=lambda loan: (_day(loan, key), str(loan["loan_id"]))
    )


def desk_day(
    today: date,
    reserved: Iterable[Mapping[str, Any]],
    out: Iterable[Mapping[str, Any]],
    overdue: Iterable[Mapping[str, Any]],
) -> DeskDay:
    """Reserved loans picked up and lent-out loans returned today or tomorrow, and every
    overdue loan (the oldest return date first)."""
    next_day = tomorrow(today)
    reserved = [loan for loan in reserved if loan.get("status") == "reserved"]
    out = [loan for loan in out if loan.get("status") == "picked_up"]
    return DeskDay(
        pickups_today=_sorted(
            (x for x in reserved if _day(x, "pickup_date") == today), "pickup_date"
        ),
        pickups_tomorrow=_sorted(
            (x for x in reserved if _day(x, "pickup_date") == next_day), "pickup_date"
        ),
        returns_today=_sorted((x for x in out if _day(x, "return_date") == today), "return_date"),
        returns_tomorrow=_sorted(
            (x for x in out if _day(x, "return_date") == next_day), "return_date"
        ),
        overdue=_sorted((x for x in overdue if x.get("status") == "overdue"), "return_date"),
    )


def may_pick_up(loan: Mapping[str, Any], today: date) -> bool:
    """A reserved loan is handed out from its pickup date on (booking's rule)."""
    return loan.get("status") == "reserved" and _day(loan, "pickup_date") <= today


def may_return(loan: Mapping[str, Any]) -> bool:
    return loan.get("status") in ("picked_up", "overdue")


class SwapProblem(Exception):
    """The handout form chose a unit twice or a unit the desk did not offer."""


def swaps(
    held: Iterable[str], chosen: Mapping[str, str], offered: Mapping[str, Iterable[str]]
) -> list[dict[str, str]]:
    """The swaps (`from_unit_id`, `to_unit_id`) a handout asks for: for every unit the loan
    holds, the unit chosen to hand out instead when it differs. A unit not chosen stays."""
    held = list(held)
    handed = [chosen.get(unit, unit) or unit for unit in held]
    if len(set(handed)) != len(handed):
        raise SwapProblem("a unit is chosen twice")
    found: list[dict[str, str]] = []
    for unit, to in zip(held, handed, strict=True):
        if to == unit:
            continue
        if to not in set(offered.get(unit, ())):
            raise SwapProblem("a unit that was not offered")
        found.append({"from_unit_id": unit, "to_unit_id": to})
    return found
