"""Applications to a round and their sections, owned here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.tables import Table


def _timestamp() -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Application(Table, table=True):
    """One club's application to one round (withdrawn ones stay, so it can apply again)."""

    __tablename__ = "season_application"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="application_round.id", index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    submitted_by: str = Field(max_length=200)
    status: str = Field(max_length=20)  # submitted | withdrawn
    note: str | None = Field(default=None, max_length=2000)
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class ApplicationSection(Table, table=True):
    """A team or group the club applies for. `position` is the club's own ranking (1 first);
    `halls` the acceptable space ids, best first; `preferred` and `acceptable` lists of
    weekly ranges `{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}` (Oslo wall clock)."""

    __tablename__ = "application_section"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    application_id: uuid.UUID = Field(foreign_key="season_application.id", index=True)
    position: int
    name: str = Field(max_length=200)
    activity: str = Field(max_length=200)
    age_group: str = Field(max_length=20)  # children | youth | adults | seniors | mixed
    group_size: int
    times_per_week: int
    min_minutes: int
    max_minutes: int
    halls: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    preferred: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    acceptable: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id")
