"""Table of sites."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from facilities.tables import Table, created_at, jsonb, updated_at


class Site(Table, table=True):
    __tablename__ = "site"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    name: str = Field(max_length=160, unique=True)
    address: str = Field(max_length=200)
    district: str = Field(max_length=40, index=True)
    latitude: float | None = None
    longitude: float | None = None
    contact: dict[str, Any] = jsonb({})
    accessibility: dict[str, Any] = jsonb({})
    closes_on_public_holidays: bool = True
    lending_reservation_days: int = 14
    # Emergency preparedness facts (capacity, beds, kitchen, power, water); NULL: not recorded.
    preparedness: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONB, nullable=True)
    )
    created_at: datetime | None = created_at()
    updated_at: datetime | None = updated_at()
