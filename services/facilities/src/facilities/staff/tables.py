"""Table of staff grants."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Column, DateTime, Index, UniqueConstraint, text
from sqlmodel import Field

from facilities.tables import Table


class StaffGrant(Table, table=True):
    """A person's grant at a site: its manager (`site`) or staff of the equipment centre it is
    (`centre`); or the municipality's emergency staff (`emergency`, no site: `object_id` is
    NULL). Revoking deletes the row; the events keep the history."""

    __tablename__ = "staff_grant"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "object_id"),
        CheckConstraint("kind IN ('site', 'centre', 'emergency')", name="known_kind"),
        CheckConstraint("(kind = 'emergency') = (object_id IS NULL)", name="object_of_kind"),
        # NULL objects are distinct to the unique constraint: one emergency grant per person.
        Index(
            "uq_staff_grant_emergency_person",
            "person_id",
            unique=True,
            postgresql_where=text("kind = 'emergency'"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    person_id: str = Field(max_length=80)
    kind: str = Field(max_length=20)
    object_id: UUID | None = Field(default=None, foreign_key="site.id", index=True)
    granted_by: str = Field(max_length=200)
    granted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
