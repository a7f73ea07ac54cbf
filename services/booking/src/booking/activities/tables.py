"""A series published as a public activity, owned here; no row means the series is private."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.tables import Table


class PublicActivity(Table, table=True):
    """What the guide shows about one club's series, beyond the series' own place and time."""

    __tablename__ = "public_activity"

    series_id: uuid.UUID = Field(foreign_key="booking_series.id", primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    description: str = Field(max_length=500)
    activity: str = Field(max_length=100)
    age_group: str = Field(max_length=20)
    level: str = Field(max_length=20)
    languages: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    takes_new_members: bool
    how_to_join: str = Field(max_length=300)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))

    def facts(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "activity": self.activity,
            "age_group": self.age_group,
            "level": self.level,
            "languages": list(self.languages),
            "takes_new_members": self.takes_new_members,
            "how_to_join": self.how_to_join,
        }
