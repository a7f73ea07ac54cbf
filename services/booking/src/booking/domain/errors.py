"""The booking domain's one error family; the API renders each as a problem+json response.

Every error carries an English and a Norwegian (bokmål) text and the HTTP status it maps to,
so the entry points translate without knowing the rules.
"""

from __future__ import annotations

from enum import Enum

from samspill.intervals import Interval

__all__ = [
    "BookingDomainError",
    "ConflictError",
    "InsufficientStock",
    "LimitExceeded",
    "RuleViolation",
    "TransitionNotAllowed",
]


class BookingDomainError(Exception):
    """Base of all rule failures; `status` is the HTTP status the API answers with."""

    status: int = 422

    def __init__(self, detail_en: str, detail_nb: str) -> None:
        super().__init__(detail_en)
        self.detail_en = detail_en
        self.detail_nb = detail_nb

    @property
    def detail(self) -> str:
        """Norwegian first, English alongside."""
        return f"{self.detail_nb} / {self.detail_en}"


class RuleViolation(BookingDomainError):
    """The request breaks a rule no matter what else is booked (422)."""

    status = 422


class ConflictError(BookingDomainError):
    """The request clashes with something already there (409); names the clashing interval."""

    status = 409

    def __init__(self, detail_en: str, detail_nb: str, conflicting: Interval) -> None:
        super().__init__(detail_en, detail_nb)
        self.conflicting = conflicting


class TransitionNotAllowed(BookingDomainError):
    """A status change the state machine does not allow (409)."""

    status = 409

    def __init__(self, current: Enum, target: Enum) -> None:
        super().__init__(
            f"Cannot change status from {current.value} to {target.value}.",
            f"Kan ikke endre status fra {current.value} til {target.value}.",
        )
        self.current = current
        self.target = target


class LimitExceeded(BookingDomainError):
    """A quota over what the requester already holds would be exceeded (409)."""

    status = 409


class InsufficientStock(BookingDomainError):
    """Fewer free units of an item type than requested (409)."""

    status = 409

    def __init__(self, item_type_id: object, requested: int, available: int) -> None:
        super().__init__(
            f"Only {available} of {requested} requested units of item type {item_type_id} "
            "are free for this period.",
            f"Bare {available} av {requested} ønskede enheter av utstyrstypen {item_type_id} "
            "er ledige i perioden.",
        )
        self.item_type_id = item_type_id
        self.requested = requested
        self.available = available
