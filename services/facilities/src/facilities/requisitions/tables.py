"""Table of requisitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Column, DateTime
from sqlmodel import Field

from facilities.tables import Table, created_at, jsonb


class RequisitionRow(Table, table=True):
    """A site (or some of its spaces: `space_ids`, empty for the whole site) taken by the
    emergency staff from `starts_at` to `ends_at`; lifted requisitions are kept."""

    __tablename__ = "requisition"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="interval_ordered"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    site_id: UUID = Field(foreign_key="site.id", index=True)
    space_ids: list[Any] = jsonb([])
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    reason: str = Field(max_length=500)
    requested_by: str = Field(max_length=200)
    lifted_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: datetime | None = created_at()
