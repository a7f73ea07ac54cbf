"""Table of spaces (a part names its whole in `parent_id`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from facilities.tables import Table, created_at, jsonb, updated_at


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
    features: list[str] = jsonb([])
    activities: list[str] = jsonb([])
    parent_id: UUID | None = Field(default=None, foreign_key="space.id", index=True)
    rules: dict[str, Any] = jsonb({})
    retired: bool = False
    created_at: datetime | None = created_at()
    updated_at: datetime | None = updated_at()
