"""Request and response bodies of a series' public activity."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from booking.activities.tables import PublicActivity
from booking.bookings.schemas import Body

AgeGroup = Literal["children", "youth", "adults", "seniors", "mixed"]
Level = Literal["beginner", "intermediate", "advanced", "all"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PublicActivityBody(Body):
    """What a reader of the guide needs; every field is required (422 when one is missing)."""

    description: Annotated[Text, StringConstraints(max_length=500)]
    activity: Annotated[Text, StringConstraints(max_length=100)]
    age_group: AgeGroup
    level: Level
    languages: list[Annotated[str, StringConstraints(max_length=8)]] = Field(
        min_length=1, max_length=10, description="ISO 639-1 codes, e.g. `nb`, `en`."
    )
    takes_new_members: bool
    how_to_join: Annotated[Text, StringConstraints(max_length=300)] = Field(
        description="A web address or the club's own email or phone; never a member's "
        "personal email or name."
    )


class PublicActivityPublic(BaseModel):
    series_id: uuid.UUID
    organisation_id: uuid.UUID
    description: str
    activity: str
    age_group: AgeGroup
    level: Level
    languages: list[str]
    takes_new_members: bool
    how_to_join: str
    updated_at: datetime


def activity_public(row: PublicActivity) -> PublicActivityPublic:
    return PublicActivityPublic.model_validate(row, from_attributes=True)
