"""The read model of facilities data, filled only from `samspill.facilities` events and
rebuildable by replaying the topic.

- `read_*`: sites, spaces, windows, closures and price rules; each row keeps the event's full
  state as JSON,
- `lending_item_type` and `lending_unit`: the equipment centres' stock,
- `access_grant`: the sites each person manages and the centres they staff (the kernel's
  table, from `StaffGrantsChanged`); booking's own memberships are not copied into it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.tables import Table
from samspill.access_grants import access_grant_table


def _json() -> Any:
    return Field(sa_column=Column(JSONB, nullable=False))


def _timestamp() -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class SiteRecord(Table, table=True):
    __tablename__ = "read_site"

    site_id: uuid.UUID = Field(primary_key=True)
    state: dict[str, Any] = _json()


class SpaceRecord(Table, table=True):
    __tablename__ = "read_space"

    space_id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = Field(index=True)
    state: dict[str, Any] = _json()


class WindowRecord(Table, table=True):
    __tablename__ = "read_window"

    window_id: uuid.UUID = Field(primary_key=True)
    space_id: uuid.UUID = Field(index=True)
    state: dict[str, Any] = _json()


class ClosureRecord(Table, table=True):
    __tablename__ = "read_closure"

    closure_id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = Field(index=True)
    space_id: uuid.UUID | None = Field(default=None, index=True)
    start: datetime = _timestamp()
    end: datetime = _timestamp()
    state: dict[str, Any] = _json()


class PriceRuleRecord(Table, table=True):
    __tablename__ = "read_price_rule"

    rule_id: uuid.UUID = Field(primary_key=True)
    state: dict[str, Any] = _json()


class ItemTypeRecord(Table, table=True):
    __tablename__ = "lending_item_type"

    item_type_id: uuid.UUID = Field(primary_key=True)
    centre_id: uuid.UUID = Field(index=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=100)
    variant: str | None = Field(default=None, max_length=100)
    age_min: int | None = None
    age_max: int | None = None
    max_loan_days: int
    retired: bool = False


class UnitRecord(Table, table=True):
    __tablename__ = "lending_unit"

    unit_id: uuid.UUID = Field(primary_key=True)
    item_type_id: uuid.UUID = Field(index=True)
    centre_id: uuid.UUID
    label: str = Field(max_length=100)
    condition: str = Field(max_length=20)
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


CATALOGUE_TABLES: tuple[type[Table], ...] = (
    SiteRecord,
    SpaceRecord,
    WindowRecord,
    ClosureRecord,
    PriceRuleRecord,
    UnitRecord,
    ItemTypeRecord,
)

access_grant = access_grant_table(Table.metadata)
