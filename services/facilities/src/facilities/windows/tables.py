"""Table of release windows."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from facilities.tables import Table, created_at, jsonb, updated_at


class Window(Table, table=True):
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
    weekdays: list[int] = jsonb([])
    start_time: time
    end_time: time
    valid_from: date
    valid_to: date
    withdrawn_dates: list[str] = jsonb([])
    withdrawn: bool = False
    time_zone: str = Field(default="Europe/Oslo", max_length=60)
    created_at: datetime | None = created_at()
    updated_at: datetime | None = updated_at()
