"""Request and response bodies of hall bookings, series and availability."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from samspill.booking_rules import MAX_HORIZON_DAYS
from samspill.contacts import PrivateContact
from samspill.events import booking as be
from samspill.inputs import AwareInstant, Day

# No horizon reaches further, so no bookable series is longer; planning stays within ~105 weeks.
MAX_SERIES_DAYS = MAX_HORIZON_DAYS

Audience = Literal["children_youth", "non_profit", "commercial", "private"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


ACTIVITY_DESCRIPTION = (
    "What the space is used for. For an organisation's booking this is public: the space's "
    "and the site's public calendar feeds show it with the organisation's name. A resident's "
    "own booking (no `organisation_id`) is not published with its activity: the public feeds "
    "show it only as a private booking."
)


class BookingBase(Body):
    space_id: uuid.UUID
    organisation_id: uuid.UUID | None = None
    activity: str = Field(min_length=1, max_length=200, description=ACTIVITY_DESCRIPTION)
    audience: Audience = Field(
        description="The price category claimed; it must follow from who books: an "
        "organisation may claim children_youth, non_profit or commercial, a resident private."
    )
    participants: int = Field(ge=1, le=100_000)
    contact: PrivateContact | None = Field(
        default=None,
        description="A resident's own booking (no `organisation_id`) needs it: the "
        "confirmation, reminders and any cancellation go there. Not for an organisation's "
        "booking, whose messages go to the organisation's contact.",
    )

    @model_validator(mode="after")
    def _contact_for_residents(self) -> Self:
        if self.organisation_id is None and self.contact is None:
            raise ValueError(
                "a resident's own booking needs a contact (an email address or a phone number)"
            )
        if self.organisation_id is not None and self.contact is not None:
            raise ValueError(
                "an organisation's booking takes no contact; its messages go to the "
                "organisation's contact"
            )
        return self


class BookingCreate(BookingBase):
    """One booking. Without `organisation_id` it is a resident's own booking."""

    start: AwareInstant
    end: AwareInstant


class BookingPublic(be.BookingState):
    """A booking as its organisation and the site's managers see it (no private contact)."""

    price_explanation_en: str
    cancellation_reason: str | None = None


class BookingCancel(Body):
    detail: str | None = Field(default=None, max_length=500)


class BookingReject(Body):
    reason: str | None = Field(default=None, max_length=500)


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


class SlotPublic(BaseModel):
    start: datetime
    end: datetime
    local_start: str
    local_end: str


class SpaceAvailability(BaseModel):
    """Free slots of one space; public, no personal data."""

    space_id: uuid.UUID
    space_name: str
    space_kind: str
    capacity: int
    features: list[str]
    site_id: uuid.UUID
    site_name: str
    site_kind: str
    district: str
    who_may_book: str
    approval_required: bool
    slots: list[SlotPublic]
