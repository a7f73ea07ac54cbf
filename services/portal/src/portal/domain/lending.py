"""Rules of the borrowing pages: the catalogue grouped into items with sizes, its filters,
the loan period a visitor asks about and which part of the loan list a loan belongs in.

Pure: the routes hand in what the APIs answered and today's Oslo date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

_NUMBER = re.compile(r"([0-9]+)")


def size_order(variant: str | None) -> tuple[tuple[int, int | str], ...]:
    """Sizes in the order people read them: "90 cm" before "110 cm", "str. 28" before
    "str. 31"; text parts alphabetically."""
    parts = _NUMBER.split((variant or "").casefold())
    return tuple(
        (0, int(part)) if part.isascii() and part.isdigit() else (1, part) for part in parts if part
    )


@dataclass(frozen=True)
class Stock:
    """Free and stocked units of one item type for a period (condition ok)."""

    free: int
    in_stock: int


@dataclass(frozen=True)
class Size:
    """One size (item type) of an item; `stock` only when dates are chosen."""

    item_type_id: str
    variant: str | None
    stock: Stock | None = None

    @property
    def free(self) -> int | None:
        return None if self.stock is None else self.stock.free


@dataclass(frozen=True)
class Item:
    """What the catalogue shows as one thing to borrow: an item name in a category at a
    centre, with its sizes (each an item type of the API)."""

    centre_id: str
    category: str
    name: str
    age_min: int | None
    age_max: int | None
    max_loan_days: int
    sizes: tuple[Size, ...]

    @property
    def first_size(self) -> Size:
        return self.sizes[0]

    @property
    def free(self) -> int | None:
        """Units free across the sizes, when dates are chosen."""
        known = [size.free for size in self.sizes if size.free is not None]
        return sum(known) if known else None


def group_items(
    item_types: Iterable[Mapping[str, Any]], stock: Mapping[str, Stock] | None = None
) -> list[Item]:
    """Item types (as the facilities API answers them, retired ones left out) grouped by centre,
    category and name; sizes in reading order, items by category and name."""
    grouped: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for item_type in item_types:
        if item_type.get("retired"):
            continue
        key = (str(item_type["centre_id"]), str(item_type["category"]), str(item_type["name"]))
        grouped.setdefault(key, []).append(item_type)
    items = []
    for (centre_id, category, name), types in grouped.items():
        ordered = sorted(types, key=lambda t: size_order(t.get("variant")))
        ages_min = [t["age_min"] for t in types if t.get("age_min") is not None]
        ages_max = [t["age_max"] for t in types if t.get("age_max") is not None]
        items.append(
            Item(
                centre_id=centre_id,
                category=category,
                name=name,
                age_min=min(ages_min) if ages_min else None,
                age_max=max(ages_max) if ages_max else None,
                max_loan_days=min(int(t["max_loan_days"]) for t in types),
                sizes=tuple(
                    Size(
                        str(t["item_type_id"]),
                        t.get("variant"),
                        (stock or {}).get(str(t["item_type_id"])),
                    )
                    for t in ordered
                ),
            )
        )
    return sorted(items, key=lambda i: (i.category.casefold(), i.name.casefold(), i.centre_id))


def categories(items: Iterable[Item]) -> list[str]:
    return sorted({item.category for item in items}, key=str.casefold)


def sizes_in(items: Iterable[Item], category: str | None = None) -> list[str]:
    """The sizes to filter by (of one category when chosen), in reading order."""
    found = {
        size.variant
        for item in items
        if not category or item.category == category
        for size in item.sizes
        if size.variant
    }
    return sorted(found, key=size_order)


def filter_items(
    items: Iterable[Item], *, category: str | None = None, size: str | None = None
) -> list[Item]:
    """Items of `category` (all when None); with `size`, only items in that size, showing
    only that size."""
    chosen = []
    for item in items:
        if category and item.category != category:
            continue
        if size:
            matching = tuple(s for s in item.sizes if s.variant == size)
            if not matching:
                continue
            item = replace(item, sizes=matching)
        chosen.append(item)
    return chosen


def siblings(
    item_type: Mapping[str, Any],
    centre_types: Iterable[Mapping[str, Any]],
    stock: Mapping[str, Stock] | None = None,
) -> Item:
    """The item the item type belongs to, with all its sizes at the same centre."""
    key = (str(item_type["centre_id"]), item_type["category"], item_type["name"])
    same = [
        t
        for t in centre_types
        if (str(t["centre_id"]), t["category"], t["name"]) == key and not t.get("retired")
    ]
    if not any(str(t["item_type_id"]) == str(item_type["item_type_id"]) for t in same):
        same.append(item_type)
    found = group_items(same, stock) or group_items([{**item_type, "retired": False}], stock)
    return found[0]


# --- the period asked about -------------------------------------------------------------------


class PeriodProblem(StrEnum):
    """Why a period cannot be asked about (the API's own rules say the rest when reserving)."""

    PICKUP_MISSING = "pickup-missing"
    RETURN_MISSING = "return-missing"
    PICKUP_INVALID = "pickup-invalid"
    RETURN_INVALID = "return-invalid"
    RETURN_BEFORE_PICKUP = "return-before-pickup"


@dataclass(frozen=True)
class Period:
    pickup: date
    return_date: date

    @property
    def days(self) -> int:
        """A same-day return is 0 days, as the lending rules count."""
        return (self.return_date - self.pickup).days


def parse_day(text: str | None) -> date | None:
    """An ISO date (what `<input type=date>` sends), else None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def read_period(
    pickup_text: str | None, return_text: str | None, *, required: bool
) -> tuple[Period | None, dict[str, PeriodProblem]]:
    """The period the form gives, or the problems by field (`pickup`, `return`).

    Browsing may leave both dates out (nothing to check then); reserving needs both. A return
    before the pickup is left for the API to refuse when reserving, so its rule shows on the
    form in its words; browsing checks it here, as there is nothing to ask about.
    """
    pickup_text, return_text = (pickup_text or "").strip(), (return_text or "").strip()
    if not required and not pickup_text and not return_text:
        return None, {}
    problems: dict[str, PeriodProblem] = {}
    pickup, return_date = parse_day(pickup_text), parse_day(return_text)
    if not pickup_text:
        problems["pickup"] = PeriodProblem.PICKUP_MISSING
    elif pickup is None:
        problems["pickup"] = PeriodProblem.PICKUP_INVALID
    if not return_text:
        problems["return"] = PeriodProblem.RETURN_MISSING
    elif return_date is None:
        problems["return"] = PeriodProblem.RETURN_INVALID
    if problems or pickup is None or return_date is None:
        return None, problems
    if not required and return_date < pickup:
        return None, {"return": PeriodProblem.RETURN_BEFORE_PICKUP}
    return Period(pickup, return_date), {}


# --- the person's loans -----------------------------------------------------------------------


class LoanPhase(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    PAST = "past"


_ACTIVE = frozenset({"picked_up", "overdue"})
_UPCOMING = frozenset({"reserved"})


def phase_of(status: str) -> LoanPhase:
    """Reserved loans are upcoming, loans out are active, everything else has ended."""
    if status in _UPCOMING:
        return LoanPhase.UPCOMING
    if status in _ACTIVE:
        return LoanPhase.ACTIVE
    return LoanPhase.PAST


def by_phase(loans: Sequence[Mapping[str, Any]]) -> dict[LoanPhase, list[Mapping[str, Any]]]:
    """Loans per phase: upcoming and active soonest first, past most recent first."""
    phases: dict[LoanPhase, list[Mapping[str, Any]]] = {phase: [] for phase in LoanPhase}
    for loan in loans:
        phases[phase_of(str(loan["status"]))].append(loan)
    phases[LoanPhase.UPCOMING].sort(key=lambda loan: str(loan["pickup_date"]))
    phases[LoanPhase.ACTIVE].sort(key=lambda loan: str(loan["return_date"]))
    phases[LoanPhase.PAST].sort(key=lambda loan: str(loan["return_date"]), reverse=True)
    return phases


def may_cancel(status: str) -> bool:
    """Only a reservation not yet picked up can be cancelled by the person."""
    return status == "reserved"
