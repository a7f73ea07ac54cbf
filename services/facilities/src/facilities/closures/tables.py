"""Table of closures."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Column, DateTime, Index, text
from sqlmodel import Field

from facilities.tables import Table, created_at, updated_at


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
    created_at: datetime | None = created_at()
    updated_at: datetime | None = updated_at()
