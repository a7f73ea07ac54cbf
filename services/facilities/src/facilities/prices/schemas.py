"""HTTP bodies of `/price-rules`, `/price-quote` and `/price-list`.

`PriceRulePublic` has the fields of the rule's event state (`samspill.events.facilities`) but
is a model of its own, so an additive change of the event contract leaves the API as it is.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from facilities.dependencies import Input
from facilities.domain import BookerCategory, SpaceKind

# Upper bound keeps rates inside the INTEGER columns they are stored in.
MAX_RATE_ORE = 100_000_000  # 1 000 000 kr per hour


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


class PriceRulePublic(BaseModel):
    """A price rule, as the events show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: UUID
    space_id: UUID | None = None
    space_kind: str | None = None
    category: Literal["children_youth", "non_profit", "commercial", "private"]
    hourly_rate_ore: int = Field(ge=0)
    evening_rate_ore: int | None = Field(default=None, ge=0)
    weekend_rate_ore: int | None = Field(default=None, ge=0)
    evening_from: time = time(17, 0)
    active: bool = True


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
