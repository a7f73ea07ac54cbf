"""The booking domain's errors, members of the shared rule family `samspill.rules`.

`samspill.errors` renders every `RuleError` as problem+json with its status, the English
detail and the bokmål `detail_nb`; a `ConflictError` also names the interval it clashes with.
"""

from __future__ import annotations

from enum import Enum

from samspill.rules import ConflictError, NotFoundError, RuleError, RuleViolation

__all__ = [
    "BookingDomainError",
    "ConflictError",
    "InsufficientStock",
    "LimitExceeded",
    "NotFoundError",
    "RuleError",
    "RuleViolation",
    "TransitionNotAllowed",
]

# Kept as a name for the domain's base error; it is the shared base.
BookingDomainError = RuleError


class TransitionNotAllowed(ConflictError):
    """A status change the state machine does not allow (409)."""

    code = "transition-not-allowed"

    def __init__(self, current: Enum, target: Enum) -> None:
        super().__init__(
            f"Cannot change status from {current.value} to {target.value}.",
            f"Kan ikke endre status fra {current.value} til {target.value}.",
        )
        self.current = current
        self.target = target


class LimitExceeded(ConflictError):
    """A quota over what the requester already holds would be exceeded (409)."""

    code = "limit-exceeded"

    def __init__(self, detail_en: str, detail_nb: str) -> None:
        super().__init__(detail_en, detail_nb)


class InsufficientStock(ConflictError):
    """Fewer free units of an item type than requested (409)."""

    code = "insufficient-stock"

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
