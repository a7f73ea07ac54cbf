"""Request and response bodies of application rounds."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from booking.rounds.tables import ApplicationRound
from samspill.events import facilities as fe
from samspill.events.booking import RoundStateName
from samspill.inputs import Day

HHMM = r"^\d{2}:\d{2}$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PrioritiesBody(Body):
    """The municipality's weights for the allocation (see the allocation's `Priorities`)."""

    children_youth: int = Field(default=1000, ge=0, le=1_000_000)
    local: int = Field(default=100, ge=0, le=1_000_000)
    other: int = Field(default=10, ge=0, le=1_000_000)
    club_rank: int = Field(default=10, ge=0, le=1_000_000)
    preferred_time: int = Field(default=5, ge=0, le=1_000_000)
    hall_rank: int = Field(default=3, ge=0, le=1_000_000)
    fairness: int = Field(default=500, ge=0, le=1_000_000)


class RoundCreate(Body):
    """A round: Oslo days, all inclusive. open ≤ close < allocation_until ≤ results_date ≤
    season_first_date ≤ season_last_date, and a season of at most a year."""

    name: str = Field(min_length=1, max_length=200)
    applications_open: Day
    applications_close: Day
    allocation_until: Day
    results_date: Day
    season_first_date: Day
    season_last_date: Day
    space_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    weekdays: list[int] = Field(default=[0, 1, 2, 3, 4], max_length=7)
    evening_start: str = Field(default="17:00", pattern=HHMM)
    evening_end: str = Field(default="23:00", pattern=HHMM)
    priorities: PrioritiesBody | None = None


class RoundChange(Body):
    """The fields to change; the rest stay. The same rules as creating a round."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    applications_open: Day | None = None
    applications_close: Day | None = None
    allocation_until: Day | None = None
    results_date: Day | None = None
    season_first_date: Day | None = None
    season_last_date: Day | None = None
    space_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=200)
    weekdays: list[int] | None = Field(default=None, max_length=7)
    evening_start: str | None = Field(default=None, pattern=HHMM)
    evening_end: str | None = Field(default=None, pattern=HHMM)
    priorities: PrioritiesBody | None = None


class RoundSpacePublic(BaseModel):
    space_id: uuid.UUID
    space_name: str
    site_id: uuid.UUID | None
    site_name: str
    capacity: int
    parent_id: uuid.UUID | None = None
    conflicts_with: list[uuid.UUID] = Field(
        description="Spaces that cannot be used at the same time (a whole hall and its parts)."
    )


class RoundPublic(BaseModel):
    id: uuid.UUID
    name: str
    state: RoundStateName
    applications_open: date
    applications_close: date
    allocation_until: date
    results_date: date
    season_first_date: date
    season_last_date: date
    weekdays: list[int]
    evening_start: str
    evening_end: str
    priorities: PrioritiesBody
    version: int
    spaces: list[RoundSpacePublic]
    application_count: int = Field(description="Submitted (not withdrawn) applications.")
    created_at: datetime
    updated_at: datetime


def space_public(
    space_id: uuid.UUID, space: fe.SpaceState | None, site: fe.SiteState | None
) -> RoundSpacePublic:
    if space is None:  # not (or no longer) in the catalogue: shown by id alone
        return RoundSpacePublic(
            space_id=space_id,
            space_name="",
            site_id=None,
            site_name="",
            capacity=0,
            conflicts_with=[],
        )
    return RoundSpacePublic(
        space_id=space_id,
        space_name=space.name,
        site_id=space.site_id,
        site_name=site.name if site else "",
        capacity=space.capacity,
        parent_id=space.parent_id,
        conflicts_with=[other for other in space.conflicts_with if other != space_id],
    )


def round_public(
    round_: ApplicationRound, spaces: list[RoundSpacePublic], application_count: int
) -> RoundPublic:
    return RoundPublic(
        id=round_.id,
        name=round_.name,
        state=round_.state,
        applications_open=round_.applications_open,
        applications_close=round_.applications_close,
        allocation_until=round_.allocation_until,
        results_date=round_.results_date,
        season_first_date=round_.season_first_date,
        season_last_date=round_.season_last_date,
        weekdays=sorted(round_.weekdays),
        evening_start=round_.evening_start,
        evening_end=round_.evening_end,
        priorities=PrioritiesBody.model_validate(round_.priorities),
        version=round_.version,
        spaces=sorted(spaces, key=lambda s: (s.site_name, s.space_name)),
        application_count=application_count,
        created_at=round_.created_at,
        updated_at=round_.updated_at,
    )
