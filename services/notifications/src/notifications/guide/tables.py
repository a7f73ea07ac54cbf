"""The guide's read model: one row per public activity, from `activity.published` and
`activity.withdrawn`. Organisation-level facts only; rebuilt with the rest of the read model."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from notifications.tables import Table


class GuideActivity(Table, table=True):
    __tablename__ = "guide_activity"

    series_id: uuid.UUID = Field(primary_key=True)
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str
    team_name: str | None = None
    site_id: uuid.UUID
    site_name: str
    district: str = Field(max_length=100, index=True)
    space_name: str
    weekday: int
    local_start_time: time
    local_end_time: time
    first_date: date
    last_date: date
    description: str = Field(max_length=500)
    activity: str = Field(max_length=100)
    # The activity as it is matched (`notifications.domain.guide.activity_key`).
    activity_key: str = Field(max_length=100, index=True)
    age_group: str = Field(max_length=20)
    level: str = Field(max_length=20)
    languages: list[str] = Field(default_factory=list, sa_type=JSONB)
    takes_new_members: bool
    how_to_join: str = Field(max_length=300)
    # How often it changed since published (the feed's SEQUENCE), when published and changed.
    changes: int = 0
    published_at: datetime = Field(sa_type=DateTime(timezone=True))
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))
    # A withdrawn activity keeps its place, time and names only (its texts are emptied), so
    # its feed's Last-Modified still moves on when it leaves; the guide never shows it.
    withdrawn_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
