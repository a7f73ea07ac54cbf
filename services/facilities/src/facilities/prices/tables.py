"""Table of price rules."""

from __future__ import annotations

from datetime import datetime, time
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field

from facilities.tables import Table, created_at, updated_at


class PriceRuleRow(Table, table=True):
    __tablename__ = "price_rule"
    __table_args__ = (
        CheckConstraint(
            "hourly_rate_ore >= 0 AND coalesce(evening_rate_ore, 0) >= 0 "
            "AND coalesce(weekend_rate_ore, 0) >= 0",
            name="rates_not_negative",
        ),
        CheckConstraint("space_id IS NULL OR space_kind IS NULL", name="one_scope"),
        # One active rule per scope (space, kind of space or default) and category.
        Index(
            "uq_price_rule_active_scope",
            text("coalesce(space_id::text, '')"),
            text("coalesce(space_kind, '')"),
            "category",
            unique=True,
            postgresql_where=text("active"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    space_id: UUID | None = Field(default=None, foreign_key="space.id", index=True)
    space_kind: str | None = Field(default=None, max_length=40)
    category: str = Field(max_length=20)
    hourly_rate_ore: int
    evening_rate_ore: int | None = None
    weekend_rate_ore: int | None = None
    evening_from: time = time(17, 0)
    active: bool = True
    created_at: datetime | None = created_at()
    updated_at: datetime | None = updated_at()
