"""A club's teams, owned here; a series handed to a team carries its `team_id`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.tables import Table


class Team(Table, table=True):
    """A team or group inside a club, with its own contact person
    (`{"name", "email", "phone"}`)."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    contact: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
