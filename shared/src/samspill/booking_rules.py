"""Per-space booking rules (set and validated by facilities, applied by booking) and the kinds
of organisations that book."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any, Self

from samspill.errors import RuleViolation

MINUTES_PER_DAY = 24 * 60
MAX_HORIZON_DAYS = 2 * 366
MAX_BUFFER_MINUTES = 4 * 60
MAX_CANCELLATION_DEADLINE_HOURS = 30 * 24


class OrganisationCategory(StrEnum):
    """The kind of a registered organisation (lag og forening)."""

    SPORTS = "sports"
    CULTURE = "culture"
    CHILDREN_YOUTH = "children_youth"
    MULTICULTURAL = "multicultural"
    SENIORS = "seniors"
    NEIGHBOURHOOD = "neighbourhood"
    EMERGENCY_PREPAREDNESS = "emergency_preparedness"
    OTHER = "other"


class WhoMayBook(StrEnum):
    ORGANISATIONS = "organisations"
    EVERYONE = "everyone"


@dataclass(frozen=True)
class BookingRules:
    min_minutes: int = 60
    max_minutes: int = 240
    granularity_minutes: int = 30
    horizon_days: int = 180
    buffer_minutes: int = 0
    cancellation_deadline_hours: int = 24
    approval_required: bool = False
    who_may_book: WhoMayBook = WhoMayBook.ORGANISATIONS

    @classmethod
    def of(cls, published: Any) -> Self:
        """The rules from anything that carries their fields, such as the published state."""
        values = {field.name: getattr(published, field.name) for field in fields(cls)}
        return cls(**{**values, "who_may_book": WhoMayBook(values["who_may_book"])})

    def published(self) -> dict[str, Any]:
        """The fields as the events publish them (`BookingRulesState(**rules.published())`)."""
        return {**asdict(self), "who_may_book": self.who_may_book.value}

    def validate(self) -> None:
        self._validate_lengths()
        self._validate_granularity()
        self._validate_limits()

    def _validate_lengths(self) -> None:
        if self.min_minutes <= 0 or self.max_minutes <= 0:
            raise RuleViolation(
                "Minimum and maximum booking length must be positive.",
                "Minste og største varighet for en booking må være positive.",
            )
        if self.min_minutes > self.max_minutes:
            raise RuleViolation(
                "The minimum booking length cannot exceed the maximum.",
                "Minste varighet kan ikke være større enn største varighet.",
            )
        # Release windows lie within one local day, so no booking can be longer.
        if self.max_minutes > MINUTES_PER_DAY:
            raise RuleViolation(
                "A booking cannot be longer than 24 hours.",
                "En booking kan ikke vare lenger enn 24 timer.",
            )

    def _validate_granularity(self) -> None:
        if self.granularity_minutes <= 0 or MINUTES_PER_DAY % self.granularity_minutes:
            raise RuleViolation(
                "The time step must be a positive number of minutes that divides a day "
                "(for example 15, 30 or 60).",
                "Tidsintervallet må være et positivt antall minutter som går opp i et døgn "
                "(for eksempel 15, 30 eller 60).",
            )
        if self.min_minutes % self.granularity_minutes or (
            self.max_minutes % self.granularity_minutes
        ):
            raise RuleViolation(
                f"Minimum and maximum length must be multiples of the time step "
                f"({self.granularity_minutes} minutes).",
                f"Minste og største varighet må gå opp i tidsintervallet "
                f"({self.granularity_minutes} minutter).",
            )

    def _validate_limits(self) -> None:
        if not 1 <= self.horizon_days <= MAX_HORIZON_DAYS:
            raise RuleViolation(
                f"The booking horizon must be between 1 and {MAX_HORIZON_DAYS} days.",
                f"Bookinghorisonten må være mellom 1 og {MAX_HORIZON_DAYS} dager.",
            )
        if not 0 <= self.buffer_minutes <= MAX_BUFFER_MINUTES:
            raise RuleViolation(
                f"The buffer between bookings must be between 0 and {MAX_BUFFER_MINUTES} minutes.",
                f"Bufferen mellom bookinger må være mellom 0 og {MAX_BUFFER_MINUTES} minutter.",
            )
        if not 0 <= self.cancellation_deadline_hours <= MAX_CANCELLATION_DEADLINE_HOURS:
            raise RuleViolation(
                f"The cancellation deadline must be between 0 and "
                f"{MAX_CANCELLATION_DEADLINE_HOURS} hours.",
                f"Avbestillingsfristen må være mellom 0 og {MAX_CANCELLATION_DEADLINE_HOURS} "
                "timer.",
            )
