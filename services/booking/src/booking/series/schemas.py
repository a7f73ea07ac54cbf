"""Request and response bodies of weekly series."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from booking.bookings.schemas import Body, BookingBase, BookingPublic
from booking.series.tables import BookingSeries
from samspill.booking_rules import MAX_HORIZON_DAYS
from samspill.inputs import Day

# No horizon reaches further, so no bookable series is longer; planning stays within ~105 weeks.
MAX_SERIES_DAYS = MAX_HORIZON_DAYS


class SeriesCreate(BookingBase):
    """A weekly series: `weekday` 0 = Monday … 6 = Sunday, wall-clock times in Oslo."""

    weekday: int | None = Field(default=None, ge=0, le=6)
    start_time: time
    end_time: time
    first_date: Day
    last_date: Day = Field(
        description=f"At most {MAX_SERIES_DAYS} days after `first_date` and within the "
        "space's booking horizon."
    )

    @model_validator(mode="after")
    def _bounded_length(self) -> Self:
        if (self.last_date - self.first_date).days > MAX_SERIES_DAYS:
            raise ValueError(f"a series spans at most {MAX_SERIES_DAYS} days")
        return self


class SkippedPublic(BaseModel):
    date: date
    reason: Literal["closure", "holiday", "conflict", "outside_window", "in_past"]
    detail: str
    detail_nb: str


class OccurrencePreview(BaseModel):
    """A date the series would book, with the status and price it would get."""

    start: datetime
    end: datetime
    local_start: str
    local_end: str
    status: Literal["requested", "confirmed"]
    price_ore: int
    price_explanation: str
    price_explanation_en: str


class SeriesPreview(BaseModel):
    """What `POST /booking-series` with the same body would book and skip now; nothing is
    stored. An empty `created` means the series would be refused (422)."""

    created: list[OccurrencePreview]
    skipped: list[SkippedPublic]


class SeriesPublic(BaseModel):
    id: uuid.UUID
    space_id: uuid.UUID
    site_id: uuid.UUID
    organisation_id: uuid.UUID | None
    activity: str
    weekday: int
    local_start_time: str
    local_end_time: str
    first_date: date
    last_date: date
    team_id: uuid.UUID | None = Field(
        default=None, description="The club's team the series is handed to, if any."
    )
    team_name: str | None = None
    round_id: uuid.UUID | None = Field(
        default=None, description="The seasonal application round that made the series."
    )
    created: list[BookingPublic]
    skipped: list[SkippedPublic]


class SeriesCancel(Body):
    """Cancel the occurrences on or after `from_date` (default: all future ones)."""

    from_date: Day | None = None


class SeriesCancelled(BaseModel):
    series_id: uuid.UUID
    cancelled: list[uuid.UUID]
    kept: list[uuid.UUID] = Field(
        description="Future occurrences left because they are inside the cancellation deadline."
    )


def series_public(
    series: BookingSeries, created: list[BookingPublic], skipped: list[SkippedPublic]
) -> SeriesPublic:
    return SeriesPublic(
        id=series.id,
        space_id=series.space_id,
        site_id=series.site_id,
        organisation_id=series.organisation_id,
        activity=series.activity,
        weekday=series.weekday,
        local_start_time=series.local_start_time,
        local_end_time=series.local_end_time,
        first_date=series.first_date,
        last_date=series.last_date,
        team_id=series.team_id,
        team_name=created[0].team_name if created else None,
        round_id=series.round_id,
        created=created,
        skipped=skipped,
    )
