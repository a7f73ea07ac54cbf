"""The booking domain's own errors, members of the kernel's one family `samspill.errors`.

`samspill.problems` renders each as problem+json with its status, the English detail and the
bokmål `detail_nb`; a `Conflict` also names the interval it clashes with.
"""

from __future__ import annotations

from enum import Enum

from samspill.errors import Conflict
from samspill.intervals import Interval


class TransitionNotAllowed(Conflict):
    """A status change the state machine does not allow (409)."""

    code = "transition-not-allowed"

    def __init__(self, current: Enum, target: Enum) -> None:
        super().__init__(
            f"Cannot change status from {current.value} to {target.value}.",
            f"Kan ikke endre status fra {current.value} til {target.value}.",
        )
        self.current = current
        self.target = target


class LimitExceeded(Conflict):
    """A quota over what the requester already holds would be exceeded (409)."""

    code = "limit-exceeded"

    def __init__(self, detail: str, detail_nb: str) -> None:
        super().__init__(detail, detail_nb)


class SpaceBooked(Conflict):
    """The space, or one that cannot be used at the same time (a whole hall, a part of it), is
    booked (409). It names the space that is booked, which need not be the one requested."""

    def __init__(
        self, space_id: str, space_name: str, when_en: str, when_nb: str, conflicting: Interval
    ) -> None:
        super().__init__(
            f"{space_name} is already booked {when_en}.",
            f"{space_name} er allerede booket {when_nb}.",
            conflicting,
            conflicting_space={"space_id": space_id, "name": space_name},
        )
        self.space_id = space_id
        self.space_name = space_name


class InsufficientStock(Conflict):
    """Fewer free units of an item type than requested (409), named as the resident chose it."""

    code = "insufficient-stock"

    def __init__(
        self, item_type_id: object, requested: int, available: int, name: str = ""
    ) -> None:
        super().__init__(
            f"Only {available} of {requested} requested units of {name or 'this item type'} "
            "are free for this period.",
            f"Bare {available} av {requested} ønskede enheter av {name or 'denne utstyrstypen'} "
            "er ledige i perioden.",
            item_type_id=str(item_type_id),
        )
        self.item_type_id = item_type_id
        self.name = name
        self.requested = requested
        self.available = available
