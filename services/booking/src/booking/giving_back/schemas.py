"""Request and response bodies of giving time back and its offers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from booking.giving_back.tables import FreedTime, GivenBackOffer
from samspill.events import booking as be
from samspill.inputs import Day


class GiveBackRest(BaseModel):
    """Give back the series' occurrences on or after `from_date` (today or later)."""

    model_config = ConfigDict(extra="forbid")

    from_date: Day


class GivenBackPublic(BaseModel):
    freed_id: uuid.UUID
    kind: Literal["date", "weekly"]
    space_id: uuid.UUID
    weekday: int
    first_date: date
    last_date: date
    start: str
    end: str
    status: Literal["offered", "taken", "released"]
    cancelled: list[uuid.UUID]


class GivenBackOfferPublic(BaseModel):
    id: uuid.UUID
    freed_id: uuid.UUID
    organisation_id: uuid.UUID
    round_id: uuid.UUID | None
    section_name: str
    space_id: uuid.UUID
    space_name: str
    site_name: str
    single_date: bool
    weekday: int
    start: str
    end: str
    first_date: date
    last_date: date
    status: Literal["open", "accepted", "expired"]
    held_until: datetime
    booking_id: uuid.UUID | None
    series_id: uuid.UUID | None


def given_back_public(freed: FreedTime, cancelled: list[uuid.UUID]) -> GivenBackPublic:
    kind: Literal["date", "weekly"] = "date" if freed.kind == "date" else "weekly"
    status: Literal["offered", "taken", "released"] = freed.status  # type: ignore[assignment]
    return GivenBackPublic(
        freed_id=freed.id,
        kind=kind,
        space_id=freed.space_id,
        weekday=freed.weekday,
        first_date=freed.first_date,
        last_date=freed.last_date,
        start=f"{freed.start_minute // 60:02d}:{freed.start_minute % 60:02d}",
        end=f"{freed.end_minute // 60 % 24:02d}:{freed.end_minute % 60:02d}",
        status=status,
        cancelled=cancelled,
    )


def offer_public(offer: GivenBackOffer, state: be.WaitingOfferState) -> GivenBackOfferPublic:
    status: Literal["open", "accepted", "expired"] = offer.status  # type: ignore[assignment]
    return GivenBackOfferPublic(
        id=offer.id,
        freed_id=offer.freed_id,
        organisation_id=offer.organisation_id,
        round_id=offer.round_id,
        section_name=state.section_name,
        space_id=state.time.space_id,
        space_name=state.time.space_name,
        site_name=state.time.site_name,
        single_date=state.single_date,
        weekday=offer.weekday,
        start=state.time.local_start_time,
        end=state.time.local_end_time,
        first_date=state.first_date,
        last_date=state.last_date,
        status=status,
        held_until=offer.held_until,
        booking_id=offer.booking_id,
        series_id=offer.series_id,
    )
