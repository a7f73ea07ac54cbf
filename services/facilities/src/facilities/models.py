"""Tables of the facilities service, in a registry of their own.

Times are stored in UTC (`timestamptz`); the wall-clock times of release windows are local
Europe/Oslo times, stored as `time` with their dates, and resolved to instants by the domain.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from samspill.db import service_registry
from samspill.messaging import messaging_tables


class Table(SQLModel, registry=service_registry()):
    """Base of every facilities table."""


messaging = messaging_tables(Table.metadata)


def _jsonb(default: Any) -> Any:
    return Field(
        default_factory=lambda: type(default)(default),
        sa_column=Column(JSONB, nullable=False, server_default=text(f"'{_json_text(default)}'")),
    )


def _json_text(value: Any) -> str:
    return "[]" if isinstance(value, list) else "{}"


def _created_at() -> Any:
    return Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def _updated_at() -> Any:
    return Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        ),
    )


class Site(Table, table=True):
    __tablename__ = "site"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    name: str = Field(max_length=160, unique=True)
    address: str = Field(max_length=200)
    district: str = Field(max_length=40, index=True)
    latitude: float | None = None
    longitude: float | None = None
    contact: dict[str, Any] = _jsonb({})
    accessibility: dict[str, Any] = _jsonb({})
    closes_on_public_holidays: bool = True
    lending_reservation_days: int = 14
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()


class Space(Table, table=True):
    __tablename__ = "space"
    __table_args__ = (
        UniqueConstraint("site_id", "name", name="uq_space_site_id_name"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_part"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    site_id: UUID = Field(foreign_key="site.id", index=True)
    name: str = Field(max_length=160)
    kind: str = Field(max_length=40, index=True)
    capacity: int
    area_m2: float | None = None
    features: list[str] = _jsonb([])
    activities: list[str] = _jsonb([])
    parent_id: UUID | None = Field(default=None, foreign_key="space.id", index=True)
    rules: dict[str, Any] = _jsonb({})
    retired: bool = False
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()


class WindowRow(Table, table=True):
    """A release window; a one-off window has `valid_from == valid_to` and no weekdays."""

    __tablename__ = "release_window"
    __table_args__ = (
        CheckConstraint("valid_to >= valid_from", name="dates_ordered"),
        CheckConstraint("kind IN ('weekly', 'one_off')", name="known_kind"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    space_id: UUID = Field(foreign_key="space.id", index=True)
    site_id: UUID = Field(foreign_key="site.id", index=True)
    kind: str = Field(max_length=10)
    weekdays: list[int] = _jsonb([])
    start_time: time
    end_time: time
    valid_from: date
    valid_to: date
    withdrawn_dates: list[str] = _jsonb([])
    withdrawn: bool = False
    time_zone: str = Field(default="Europe/Oslo", max_length=60)
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()


class ClosureRow(Table, table=True):
    """A closure of a whole site (`space_id` NULL) or one space; lifted closures are kept."""

    __tablename__ = "closure"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="interval_ordered"),
        # One generated holiday closure per site and day, so regenerating is idempotent.
        Index(
            "uq_closure_holiday_per_site_day",
            "site_id",
            "starts_at",
            unique=True,
            postgresql_where=text("holiday_generated AND NOT lifted"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    site_id: UUID = Field(foreign_key="site.id", index=True)
    space_id: UUID | None = Field(default=None, foreign_key="space.id", index=True)
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    reason: str = Field(max_length=20)
    note: str | None = Field(default=None, max_length=500)
    holiday_generated: bool = False
    lifted: bool = False
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()


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
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()


class ItemType(Table, table=True):
    __tablename__ = "item_type"
    __table_args__ = (
        CheckConstraint("max_loan_days >= 1", name="loan_days_positive"),
        CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="ages"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    centre_id: UUID = Field(foreign_key="site.id", index=True)
    name: str = Field(max_length=160)
    category: str = Field(max_length=80)
    variant: str | None = Field(default=None, max_length=80)
    age_min: int | None = None
    age_max: int | None = None
    max_loan_days: int
    image_url: str | None = Field(default=None, max_length=500)
    retired: bool = False
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()


class EquipmentUnit(Table, table=True):
    __tablename__ = "equipment_unit"
    __table_args__ = (
        UniqueConstraint("item_type_id", "label", name="uq_equipment_unit_item_type_id_label"),
        CheckConstraint("condition IN ('ok', 'damaged', 'retired')", name="known_condition"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    item_type_id: UUID = Field(foreign_key="item_type.id", index=True)
    centre_id: UUID = Field(foreign_key="site.id", index=True)
    label: str = Field(max_length=80)
    condition: str = Field(default="ok", max_length=10)
    notes: str | None = Field(default=None, max_length=500)
    created_at: datetime | None = _created_at()
    updated_at: datetime | None = _updated_at()
