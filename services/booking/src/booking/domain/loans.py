"""Equipment loans (free of charge): request rules, unit allocation, periods and due dates."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from booking.domain.errors import InsufficientStock, LimitExceeded, TransitionNotAllowed
from samspill.errors import RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import OSLO

# The longest loan any item type allows (`max_loan_days` is at most a year).
MAX_LOAN_DAYS = 365

__all__ = [
    "LOAN_TRANSITIONS",
    "ItemTypeView",
    "LoanStatus",
    "LoanView",
    "allocate_units",
    "check_loan_request",
    "check_resident_limits",
    "check_stock",
    "detect_due",
    "is_loan_active",
    "loan_period",
    "quantities_by_type",
    "transition_loan",
]

TypeId = TypeVar("TypeId", bound=Hashable)
UnitId = TypeVar("UnitId")


class LoanStatus(StrEnum):
    RESERVED = "reserved"
    PICKED_UP = "picked_up"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    OVERDUE = "overdue"


LOAN_TRANSITIONS: Mapping[LoanStatus, frozenset[LoanStatus]] = {
    LoanStatus.RESERVED: frozenset(
        {LoanStatus.PICKED_UP, LoanStatus.CANCELLED, LoanStatus.NO_SHOW}
    ),
    LoanStatus.PICKED_UP: frozenset({LoanStatus.RETURNED, LoanStatus.OVERDUE}),
    LoanStatus.OVERDUE: frozenset({LoanStatus.RETURNED}),
    LoanStatus.RETURNED: frozenset(),
    LoanStatus.CANCELLED: frozenset(),
    LoanStatus.NO_SHOW: frozenset(),
}

# Statuses in which a loan holds its units.
_HOLDING = frozenset({LoanStatus.RESERVED, LoanStatus.PICKED_UP, LoanStatus.OVERDUE})


def transition_loan(current: LoanStatus, target: LoanStatus) -> LoanStatus:
    if target not in LOAN_TRANSITIONS[current]:
        raise TransitionNotAllowed(current, target)
    return target


def is_loan_active(status: LoanStatus) -> bool:
    """Whether a loan in this status holds its units."""
    return status in _HOLDING


@dataclass(frozen=True)
class ItemTypeView:
    centre_id: str
    max_loan_days: int
    retired: bool = False
    name: str = ""


@dataclass(frozen=True)
class LoanView:
    loan_id: str
    status: LoanStatus
    pickup: date
    return_date: date


def check_loan_request(
    lines: Sequence[tuple[TypeId, int]],
    item_types: Mapping[TypeId, ItemTypeView],
    pickup: date,
    return_date: date,
    today: date,
    reservation_window_days: int,
) -> str:
    """Raise RuleViolation for a loan that may not be made; return the one centre it is from.

    A loan lasts `(return_date - pickup).days` days, so a same-day return is 0 days.
    """
    _check_lines(lines)
    _check_dates(pickup, return_date, today, reservation_window_days)
    types = [_known_item_type(type_id, item_types) for type_id, _ in lines]
    _check_length(types, pickup, return_date)
    return _single_centre(types)


def _check_lines(lines: Sequence[tuple[object, int]]) -> None:
    if not lines:
        raise RuleViolation("A loan needs at least one item.", "Et lån må ha minst én gjenstand.")
    for type_id, quantity in lines:
        if quantity <= 0:
            raise RuleViolation(
                f"The quantity of item type {type_id} must be at least 1.",
                f"Antallet av utstyrstypen {type_id} må være minst 1.",
            )


def _check_dates(pickup: date, return_date: date, today: date, window_days: int) -> None:
    if return_date < pickup:
        raise RuleViolation(
            "The return date must not be before the pickup date.",
            "Innleveringsdatoen kan ikke være før hentedatoen.",
        )
    if pickup < today:
        raise RuleViolation("The pickup date has passed.", "Hentedatoen er passert.")
    if pickup > today + timedelta(days=window_days):
        raise RuleViolation(
            f"Equipment can be reserved at most {window_days} days ahead.",
            f"Utstyr kan reserveres høyst {window_days} dager fram i tid.",
        )


def _known_item_type(type_id: TypeId, item_types: Mapping[TypeId, ItemTypeView]) -> ItemTypeView:
    item_type = item_types.get(type_id)
    if item_type is None:
        raise RuleViolation(f"Unknown item type {type_id}.", f"Ukjent utstyrstype {type_id}.")
    if item_type.retired:
        raise RuleViolation(
            f"Item type {item_type.name or type_id} is no longer lent out.",
            f"Utstyrstypen {item_type.name or type_id} lånes ikke lenger ut.",
        )
    return item_type


def _check_length(types: Iterable[ItemTypeView], pickup: date, return_date: date) -> None:
    days = (return_date - pickup).days
    longest = min(item_type.max_loan_days for item_type in types)
    if days > longest:
        raise RuleViolation(
            f"This equipment can be borrowed for at most {longest} days, not {days}.",
            f"Dette utstyret kan lånes i høyst {longest} dager, ikke {days}.",
        )


def _single_centre(types: Sequence[ItemTypeView]) -> str:
    centres = {item_type.centre_id for item_type in types}
    if len(centres) > 1:
        raise RuleViolation(
            "All items of one loan must come from the same equipment centre.",
            "Alt utstyret i ett lån må komme fra samme utstyrssentral.",
        )
    return types[0].centre_id


def quantities_by_type(lines: Iterable[tuple[TypeId, int]]) -> dict[TypeId, int]:
    """Total quantity per item type; the same type on two lines is added up."""
    totals: dict[TypeId, int] = {}
    for type_id, quantity in lines:
        totals[type_id] = totals.get(type_id, 0) + quantity
    return totals


def allocate_units(
    lines: Iterable[tuple[TypeId, int]],
    free_units_by_type: Mapping[TypeId, Sequence[UnitId]],
    item_types: Mapping[TypeId, ItemTypeView] | None = None,
) -> dict[TypeId, list[UnitId]]:
    """Pick units for every line, first free ones first, or raise InsufficientStock for none
    (naming the item type from `item_types`)."""
    wanted = quantities_by_type(lines)
    free = {type_id: len(units) for type_id, units in free_units_by_type.items()}
    check_stock(wanted, free, item_types)
    return {
        type_id: list(free_units_by_type[type_id][:quantity])
        for type_id, quantity in wanted.items()
    }


def check_stock(
    wanted: Mapping[TypeId, int],
    free_by_type: Mapping[TypeId, int],
    item_types: Mapping[TypeId, ItemTypeView] | None = None,
) -> None:
    """Raise InsufficientStock for the first item type (in the order wanted) with fewer free
    units than wanted, naming it from `item_types`."""
    for type_id, quantity in wanted.items():
        available = free_by_type.get(type_id, 0)
        if available < quantity:
            known = (item_types or {}).get(type_id)
            raise InsufficientStock(type_id, quantity, available, known.name if known else "")


def loan_period(pickup: date, return_date: date, tz: ZoneInfo = OSLO) -> Interval:
    """From local midnight starting the pickup day to local midnight ending the return day."""
    try:
        return Interval(
            _start_of_day(pickup, tz), _start_of_day(return_date + timedelta(days=1), tz)
        )
    except OverflowError as exc:  # the first or last days of the calendar
        raise RuleViolation(
            "The dates are out of range.", "Datoene er utenfor gyldig område."
        ) from exc


def _start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def detect_due(
    loans: Sequence[LoanView], now: datetime, tz: ZoneInfo = OSLO
) -> tuple[list[LoanView], list[LoanView]]:
    """(no-shows, overdues): reserved loans whose pickup day is over, and picked-up loans
    whose return day is over. A day is over at the local midnight that ends it."""
    no_shows = [
        loan
        for loan in loans
        if loan.status == LoanStatus.RESERVED and _day_is_over(loan.pickup, now, tz)
    ]
    overdues = [
        loan
        for loan in loans
        if loan.status == LoanStatus.PICKED_UP and _day_is_over(loan.return_date, now, tz)
    ]
    return no_shows, overdues


def _day_is_over(day: date, now: datetime, tz: ZoneInfo) -> bool:
    return now >= _start_of_day(day + timedelta(days=1), tz)


def check_resident_limits(
    active_loans: int, active_units: int, new_units: int, max_loans: int, max_units: int
) -> None:
    """A resident may hold at most `max_loans` active loans and `max_units` units at once."""
    if active_loans + 1 > max_loans:
        raise LimitExceeded(
            f"You already have {active_loans} active loans; the limit is {max_loans}.",
            f"Du har allerede {active_loans} aktive lån; grensen er {max_loans}.",
        )
    if active_units + new_units > max_units:
        raise LimitExceeded(
            f"This loan would give you {active_units + new_units} items; the limit is {max_units}.",
            f"Dette lånet ville gitt deg {active_units + new_units} gjenstander; grensen er "
            f"{max_units}.",
        )
