"""The public guide's JSON: organisation-level facts of each public activity."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from notifications.guide.tables import GuideActivity
from samspill.districts import district_name

AgeGroup = Literal["children", "youth", "adults", "seniors", "mixed"]


class GuideActivityPublic(BaseModel):
    series_id: uuid.UUID
    organisation_name: str
    team_name: str | None
    activity: str
    description: str
    age_group: str
    level: str
    languages: list[str]
    takes_new_members: bool
    how_to_join: str
    district: str
    district_name: str
    site_name: str
    space_name: str
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    local_start_time: str
    local_end_time: str
    first_date: date
    last_date: date
    feed_url: str = Field(description="The iCal feed of the activity in its district.")


class GuidePublic(BaseModel):
    activities: list[GuideActivityPublic]
    activity_names: list[str] = Field(description="Every activity the guide holds now.")


def guide_activity_public(row: GuideActivity, feed_url: str) -> GuideActivityPublic:
    return GuideActivityPublic(
        series_id=row.series_id,
        organisation_name=row.organisation_name,
        team_name=row.team_name,
        activity=row.activity,
        description=row.description,
        age_group=row.age_group,
        level=row.level,
        languages=list(row.languages),
        takes_new_members=row.takes_new_members,
        how_to_join=row.how_to_join,
        district=row.district,
        district_name=district_name(row.district),
        site_name=row.site_name,
        space_name=row.space_name,
        weekday=row.weekday,
        local_start_time=f"{row.local_start_time:%H:%M}",
        local_end_time=f"{row.local_end_time:%H:%M}",
        first_date=row.first_date,
        last_date=row.last_date,
        feed_url=feed_url,
    )
