"""Request and response bodies of a club's teams and of handing a series to one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from booking.teams.tables import Team
from samspill.inputs import MAX_NAME_CHARS, Email, Phone

TeamName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS)
]


class TeamContact(BaseModel):
    """The team's own contact person (a coach, a team leader). Shown to the club's members."""

    model_config = ConfigDict(extra="forbid")

    name: TeamName
    email: Email | None = None
    phone: Phone | None = None


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TeamName = Field(description="Unique in the club; public in calendars beside its name.")
    contact: TeamContact


class TeamChange(BaseModel):
    """The fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: TeamName | None = None
    contact: TeamContact | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.name is None and self.contact is None:
            raise ValueError("give a new name, a new contact or both")
        return self


class TeamPublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    contact: TeamContact
    series_count: int = Field(description="How many of the club's series are handed to it.")
    created_at: datetime


def team_public(team: Team, series_count: int) -> TeamPublic:
    return TeamPublic(
        id=team.id,
        organisation_id=team.organisation_id,
        name=team.name,
        contact=TeamContact.model_validate(team.contact),
        series_count=series_count,
        created_at=team.created_at,
    )


class SeriesTeam(BaseModel):
    """Hand the series to one of the club's teams, or take it back (`team_id` null)."""

    model_config = ConfigDict(extra="forbid")

    team_id: uuid.UUID | None
