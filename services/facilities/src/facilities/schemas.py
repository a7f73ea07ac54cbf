"""What the HTTP API reads and answers: schema families per aggregate.

`…Create` and `…Update` are request bodies; `…Public` is the full state the API answers with,
the same state the events carry (`samspill.events.facilities`), so a consumer and an API
client see one shape.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from facilities.domain import (
    BookerCategory,
    ClosureReason,
    District,
    SiteKind,
    SpaceKind,
    UnitCondition,
    WhoMayBook,
)
from samspill.events.facilities import (
    Accessibility,
    BookingRulesState,
    ClosureState,
    ItemTypeState,
    PriceRuleState,
    SiteContact,
    SiteState,
    SpaceState,
    UnitState,
    WindowState,
)
from samspill.inputs import Day, Email, Instant, Phone

MAX_PAGE = 200
# Upper bounds keep numbers inside the INTEGER columns they are stored in.
MAX_CAPACITY = 100_000
MAX_RATE_ORE = 100_000_000  # 1 000 000 kr per hour
MAX_AREA_M2 = 1_000_000
MAX_TRANSIT_DISTANCE_M = 100_000
Tag = Annotated[str, StringConstraints(max_length=80)]
T = TypeVar("T")
OSLO_ZONE = "Europe/Oslo"


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


# Sites


class SiteContactIn(SiteContact):
    """The site's function address; the phone number is kept in E.164 (+4764000000)."""

    name: str = Field(min_length=1, max_length=160)
    email: Email | None = None
    phone: Phone | None = None


class AccessibilityIn(Accessibility):
    transit_stop: str | None = Field(default=None, max_length=160)
    transit_distance_m: int | None = Field(default=None, ge=0, le=MAX_TRANSIT_DISTANCE_M)


class SiteBase(Input):
    kind: SiteKind
    name: str = Field(min_length=2, max_length=160)
    address: str = Field(min_length=2, max_length=200)
    district: District
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    contact: SiteContactIn
    accessibility: AccessibilityIn = AccessibilityIn()
    closes_on_public_holidays: bool = True
    lending_reservation_days: int = Field(default=14, ge=0, le=365)


class SiteCreate(SiteBase):
    pass


class SiteUpdate(Input):
    name: str | None = Field(default=None, min_length=2, max_length=160)
    address: str | None = Field(default=None, min_length=2, max_length=200)
    district: District | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    contact: SiteContactIn | None = None
    accessibility: AccessibilityIn | None = None
    closes_on_public_holidays: bool | None = None
    lending_reservation_days: int | None = Field(default=None, ge=0, le=365)


class SitePublic(SiteState):
    """A site as the API and the events show it."""


# Spaces


class BookingRulesIn(Input):
    min_minutes: int = 60
    max_minutes: int = 240
    granularity_minutes: int = 30
    horizon_days: int = 180
    buffer_minutes: int = 0
    cancellation_deadline_hours: int = 24
    approval_required: bool = False
    who_may_book: WhoMayBook = WhoMayBook.ORGANISATIONS


class SpaceBase(Input):
    name: str = Field(min_length=1, max_length=160)
    kind: SpaceKind
    capacity: int = Field(
        le=MAX_CAPACITY, description="People; must be above zero (checked as a rule)."
    )
    area_m2: float | None = Field(default=None, gt=0, le=MAX_AREA_M2)
    features: list[Tag] = Field(default=[], max_length=50)
    activities: list[Tag] = Field(default=[], max_length=50)
    parent_id: UUID | None = Field(default=None, description="The space this one is part of.")
    rules: BookingRulesIn = BookingRulesIn()


class SpaceCreate(SpaceBase):
    site_id: UUID


class SpaceUpdate(Input):
    """Fields to change; `parent_id: null` makes a part a space of its own."""

    name: str | None = Field(default=None, min_length=1, max_length=160)
    kind: SpaceKind | None = None
    capacity: int | None = Field(default=None, le=MAX_CAPACITY)
    area_m2: float | None = Field(default=None, gt=0, le=MAX_AREA_M2)
    features: list[Tag] | None = Field(default=None, max_length=50)
    activities: list[Tag] | None = Field(default=None, max_length=50)
    parent_id: UUID | None = None
    rules: BookingRulesIn | None = None


class SpacePublic(SpaceState):
    """A space with the spaces it conflicts with (its parts and the wholes it is part of)."""


# Release windows


class WindowCreate(Input):
    """A weekly window (`weekdays`, `valid_from`, `valid_to`) or a one-off window (`day`)."""

    kind: Literal["weekly", "one_off"] = "weekly"
    weekdays: list[int | Annotated[str, StringConstraints(max_length=20)]] = Field(
        default=[], max_length=7, description="0 = Monday … 6 = Sunday, or names (mandag, mon)."
    )
    start_time: time = Field(description="Local wall-clock time, e.g. 17:00.")
    end_time: time = Field(description="Local wall-clock time; 00:00 means midnight.")
    valid_from: Day | None = None
    valid_to: Day | None = None
    day: Day | None = Field(default=None, description="The date of a one-off window.")
    time_zone: str = Field(default=OSLO_ZONE, max_length=60)


class WindowDates(Input):
    dates: list[Day] = Field(min_length=1, max_length=400)


class WindowPublic(WindowState):
    """A release window in local wall-clock time, as the events show it."""


class WindowOccurrence(BaseModel):
    start: datetime
    end: datetime


# Closures


class ClosureCreate(Input):
    site_id: UUID | None = Field(default=None, description="Close the whole site …")
    space_id: UUID | None = Field(default=None, description="… or one space (and its parts).")
    start: Instant
    end: Instant
    reason: ClosureReason
    note: str | None = Field(default=None, max_length=500)


class ClosurePublic(ClosureState):
    """A closure, as the events show it."""


# Prices


class PriceRuleBase(Input):
    space_id: UUID | None = None
    space_kind: SpaceKind | None = None
    category: BookerCategory
    hourly_rate_ore: int = Field(
        le=MAX_RATE_ORE, description="Øre per hour (1 kr = 100 øre); not below zero."
    )
    evening_rate_ore: int | None = Field(default=None, le=MAX_RATE_ORE)
    weekend_rate_ore: int | None = Field(default=None, le=MAX_RATE_ORE)
    evening_from: time = time(17, 0)


class PriceRuleCreate(PriceRuleBase):
    """Sets the rule of its scope (space, kind of space or default) and category."""


class PriceRuleUpdate(Input):
    hourly_rate_ore: int | None = Field(default=None, le=MAX_RATE_ORE)
    evening_rate_ore: int | None = Field(default=None, le=MAX_RATE_ORE)
    weekend_rate_ore: int | None = Field(default=None, le=MAX_RATE_ORE)
    evening_from: time | None = None


class PriceRulePublic(PriceRuleState):
    """A price rule, as the events show it."""


class QuoteLinePublic(BaseModel):
    period: str
    label_nb: str
    label_en: str
    minutes: int
    hourly_rate_ore: int
    amount_ore: int


class PriceQuote(BaseModel):
    space_id: UUID
    start: datetime
    end: datetime
    category: BookerCategory
    total_ore: int
    total_text: str
    free_principle: bool
    explanation_nb: str
    explanation_en: str
    rule_id: UUID | None
    lines: list[QuoteLinePublic]


class PriceListRowPublic(BaseModel):
    scope: Literal["space", "space_kind", "default"]
    scope_nb: str
    scope_en: str
    space_id: UUID | None
    space_kind: SpaceKind | None
    category: BookerCategory
    category_nb: str
    category_en: str
    hourly_rate: str
    evening_rate: str | None
    weekend_rate: str | None
    evening_from: str
    note_nb: str | None
    note_en: str | None


class PriceList(BaseModel):
    title_nb: str = "Prisliste for utlån av kommunale lokaler"
    title_en: str = "Price list for municipal premises"
    rows: list[PriceListRowPublic]


# Equipment


class ItemTypeBase(Input):
    name: str = Field(min_length=1, max_length=160)
    category: str = Field(min_length=1, max_length=80)
    variant: str | None = Field(default=None, max_length=80, description="Size or variant.")
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    max_loan_days: int = Field(default=14, ge=1, le=365)
    image_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://")


class ItemTypeCreate(ItemTypeBase):
    pass


class ItemTypeUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=160)
    category: str | None = Field(default=None, min_length=1, max_length=80)
    variant: str | None = Field(default=None, max_length=80)
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    max_loan_days: int | None = Field(default=None, ge=1, le=365)
    image_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://")


class ItemTypePublic(ItemTypeState):
    """An equipment item type, as the events show it."""


class UnitCreate(Input):
    label: str = Field(min_length=1, max_length=80)
    condition: Literal[UnitCondition.OK, UnitCondition.DAMAGED] = UnitCondition.OK
    notes: str | None = Field(default=None, max_length=500)


class UnitUpdate(Input):
    condition: UnitCondition
    notes: str | None = Field(default=None, max_length=500)


class UnitPublic(UnitState):
    """An equipment unit, as the events show it."""


__all__ = [
    "MAX_PAGE",
    "BookingRulesIn",
    "BookingRulesState",
    "ClosureCreate",
    "ClosurePublic",
    "ItemTypeCreate",
    "ItemTypePublic",
    "ItemTypeUpdate",
    "Page",
    "PriceList",
    "PriceListRowPublic",
    "PriceQuote",
    "PriceRuleCreate",
    "PriceRulePublic",
    "PriceRuleUpdate",
    "QuoteLinePublic",
    "SiteCreate",
    "SitePublic",
    "SiteUpdate",
    "SpaceCreate",
    "SpacePublic",
    "SpaceUpdate",
    "UnitCreate",
    "UnitPublic",
    "UnitUpdate",
    "WindowCreate",
    "WindowDates",
    "WindowOccurrence",
    "WindowPublic",
]
