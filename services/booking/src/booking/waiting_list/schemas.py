"""Response bodies of the waiting list and its offers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from booking.domain.weekly_time import clock
from booking.waiting_list.tables import DirectWaitingEntry, WaitingEntry, WaitingOffer
from samspill.events import booking as be


class WaitingOfferPublic(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    entry_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    section_name: str
    space_id: uuid.UUID
    space_name: str
    site_name: str
    weekday: int
    start: str
    end: str
    first_date: date
    last_date: date
    status: Literal["open", "accepted", "declined", "expired", "withdrawn"]
    expires_at: datetime
    series_id: uuid.UUID | None


class WaitingEntryPublic(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    section_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    position: int
    times_wanted: int
    status: Literal["waiting", "offered", "placed", "removed"]
    offers: list[WaitingOfferPublic]


class WaitingListPublic(BaseModel):
    round_id: uuid.UUID
    entries: list[WaitingEntryPublic]


def offer_public(offer: WaitingOffer, state: be.WaitingOfferState) -> WaitingOfferPublic:
    return WaitingOfferPublic(
        id=offer.id,
        round_id=offer.round_id,
        entry_id=offer.entry_id,
        organisation_id=state.organisation_id,
        organisation_name=state.organisation_name,
        section_name=state.section_name,
        space_id=offer.space_id,
        space_name=state.time.space_name,
        site_name=state.time.site_name,
        weekday=offer.weekday,
        start=state.time.local_start_time,
        end=state.time.local_end_time,
        first_date=offer.first_date,
        last_date=offer.last_date,
        status=state.status,
        expires_at=offer.expires_at,
        series_id=offer.series_id,
    )


def entry_public(
    entry: WaitingEntry,
    section_name: str,
    organisation_name: str,
    offers: list[WaitingOfferPublic],
) -> WaitingEntryPublic:
    status: Literal["waiting", "offered", "placed", "removed"] = entry.status  # type: ignore[assignment]
    return WaitingEntryPublic(
        id=entry.id,
        section_id=entry.section_id,
        section_name=section_name,
        organisation_id=entry.organisation_id,
        organisation_name=organisation_name,
        position=entry.position,
        times_wanted=entry.times_wanted,
        status=status,
        offers=offers,
    )


HHMM = r"^\d{2}:\d{2}$"
AgeGroupName = Literal["children", "youth", "adults", "seniors", "mixed"]


class DirectEntryCreate(BaseModel):
    """A club joins the waiting list for a weekly time in one hall (Oslo wall clock "HH:MM",
    on the half hour; `weekday` 0 = Monday)."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: uuid.UUID
    space_id: uuid.UUID
    weekday: int = Field(ge=0, le=6)
    start: str = Field(pattern=HHMM)
    end: str = Field(pattern=HHMM)
    activity: str = Field(min_length=1, max_length=100)
    age_group: AgeGroupName
    group_size: int = Field(ge=1, le=10_000)


class DirectEntryPublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    space_id: uuid.UUID
    weekday: int
    start: str
    end: str
    activity: str
    age_group: AgeGroupName
    group_size: int
    status: Literal["waiting", "placed", "removed"]
    created_at: datetime


def direct_entry_public(entry: DirectWaitingEntry) -> DirectEntryPublic:
    age_group: AgeGroupName = entry.age_group  # type: ignore[assignment]
    status: Literal["waiting", "placed", "removed"] = entry.status  # type: ignore[assignment]
    return DirectEntryPublic(
        id=entry.id,
        organisation_id=entry.organisation_id,
        space_id=entry.space_id,
        weekday=entry.weekday,
        start=clock(entry.start_minute),
        end=clock(entry.end_minute),
        activity=entry.activity,
        age_group=age_group,
        group_size=entry.group_size,
        status=status,
        created_at=entry.created_at,
    )
