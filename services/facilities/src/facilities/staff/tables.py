"""Table of staff grants."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Column, DateTime, UniqueConstraint
from sqlmodel import Field

from facilities.tables import Table


class StaffGrant(Table, table=True):
    """A person's grant at a site: its manager (`site`) or staff of the equipment centre it is
    (`centre`). Revoking deletes the row; the events keep the history."""

    __tablename__ = "staff_grant"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "object_id"),
        CheckConstraint("kind IN ('site', 'centre')", name="known_kind"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    person_id: str = Field(max_length=80)
    kind: str = Field(max_length=20)
    object_id: UUID = Field(foreign_key="site.id", index=True)
    granted_by: str = Field(max_length=200)
    granted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
