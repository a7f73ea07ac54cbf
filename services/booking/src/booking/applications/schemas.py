"""Request and response bodies of applications to a round."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from samspill.events.booking import RoundStateName

HHMM = r"^\d{2}:\d{2}$"
AgeGroupName = Literal["children", "youth", "adults", "seniors", "mixed"]
MAX_SECTIONS = 20
MAX_RANGES = 50


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WeeklyRange(Body):
    """A weekly time range: `weekday` 0 = Monday, Oslo wall clock "HH:MM"."""

    weekday: int = Field(ge=0, le=6)
    start: str = Field(pattern=HHMM)
    end: str = Field(pattern=HHMM)


class SectionBody(Body):
    """A team or group the club applies for; `halls` ranked, best first."""

    name: str = Field(min_length=1, max_length=200)
    activity: str = Field(min_length=1, max_length=200)
    age_group: AgeGroupName
    group_size: int = Field(ge=1, le=10_000)
    times_per_week: int = Field(ge=1, le=7)
    min_minutes: int = Field(ge=30, le=1440)
    max_minutes: int = Field(ge=30, le=1440)
    halls: list[uuid.UUID] = Field(max_length=MAX_SECTIONS)
    preferred: list[WeeklyRange] = Field(max_length=MAX_RANGES)
    acceptable: list[WeeklyRange] = Field(default=[], max_length=MAX_RANGES)
    team_id: uuid.UUID | None = None


class ApplicationPut(Body):
    """The whole application: it replaces what the club sent before. The order of `sections`
    is the club's own ranking (first = most important)."""

    note: str | None = Field(default=None, max_length=2000)
    sections: list[SectionBody] = Field(min_length=1, max_length=MAX_SECTIONS)


class GrantedPublic(BaseModel):
    space_id: uuid.UUID
    space_name: str
    weekday: int
    start: str
    end: str
    series_id: uuid.UUID | None = None


class SectionResultPublic(BaseModel):
    """What the section got, shown once the round's results are sent."""

    status: Literal["granted", "partly", "refused"]
    granted: list[GrantedPublic]
    explanation: str
    explanation_nb: str
    waiting_position: int | None = None


class SectionPublic(BaseModel):
    id: uuid.UUID
    position: int
    name: str
    activity: str
    age_group: str
    group_size: int
    times_per_week: int
    min_minutes: int
    max_minutes: int
    halls: list[uuid.UUID]
    preferred: list[WeeklyRange]
    acceptable: list[WeeklyRange]
    team_id: uuid.UUID | None = None
    result: SectionResultPublic | None = None


class ApplicationPublic(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    round_name: str
    round_state: RoundStateName
    organisation_id: uuid.UUID
    organisation_name: str
    status: Literal["submitted", "withdrawn"]
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    sections: list[SectionPublic]
