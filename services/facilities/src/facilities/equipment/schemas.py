"""HTTP bodies of the equipment routes: `…Create` and `…Update` are requests, `…Public` answers.

The answers have the fields of the event states (`samspill.events.facilities`) but are models
of their own, so an additive change of an event contract leaves the API as it is.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from facilities.dependencies import Input
from facilities.domain import UnitCondition


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


class UnitCreate(Input):
    label: str = Field(min_length=1, max_length=80)
    condition: Literal[UnitCondition.OK, UnitCondition.DAMAGED] = UnitCondition.OK
    notes: str | None = Field(default=None, max_length=500)


class UnitUpdate(Input):
    condition: UnitCondition
    notes: str | None = Field(default=None, max_length=500)


class Public(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemTypePublic(Public):
    """An equipment item type, as the events show it."""

    item_type_id: UUID
    centre_id: UUID
    name: str
    category: str
    variant: str | None = Field(default=None, description="Size or variant, e.g. '130 cm'.")
    age_min: int | None = None
    age_max: int | None = None
    max_loan_days: int = Field(ge=1)
    image_url: str | None = None
    retired: bool = False


class UnitPublic(Public):
    """An equipment unit, as the events show it."""

    unit_id: UUID
    item_type_id: UUID
    centre_id: UUID
    label: str
    condition: Literal["ok", "damaged", "retired"]
    notes: str | None = None
