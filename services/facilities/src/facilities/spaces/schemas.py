"""HTTP bodies of `/spaces`: `…Create` and `…Update` are requests, `…Public` the answers.

The answers have the fields of the space's event state (`samspill.events.facilities`) but are
models of their own, so an additive change of the event contract leaves the API as it is.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from facilities.dependencies import Input
from facilities.domain import SpaceKind, WhoMayBook

# Upper bounds keep numbers inside the INTEGER columns they are stored in.
MAX_CAPACITY = 100_000
MAX_AREA_M2 = 1_000_000
Tag = Annotated[str, StringConstraints(max_length=80)]


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


class Public(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BookingRulesPublic(Public):
    min_minutes: int
    max_minutes: int
    granularity_minutes: int
    horizon_days: int
    buffer_minutes: int
    cancellation_deadline_hours: int
    approval_required: bool
    who_may_book: Literal["organisations", "everyone"]


class SpacePublic(Public):
    """A space with the spaces it conflicts with (its parts and the wholes it is part of)."""

    space_id: UUID
    site_id: UUID
    name: str
    kind: str
    capacity: int
    area_m2: float | None = None
    features: list[str] = []
    activities: list[str] = []
    parent_id: UUID | None = None
    conflicts_with: list[UUID] = Field(
        default=[], description="Spaces that cannot be booked at the same time (parts, whole)."
    )
    rules: BookingRulesPublic
    retired: bool = False
