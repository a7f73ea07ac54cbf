"""Request and response bodies of hall bookings (series build on `BookingBase`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from booking.bookings.tables import Booking
from booking.organisations.schemas import ContactPublic
from samspill.contacts import PrivateContact
from samspill.events import booking as be
from samspill.inputs import AwareInstant

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
        description="Where a resident's own booking (no `organisation_id`) is told about: "
        "the confirmation, reminders and any cancellation go there. Without it the resident's "
        "profile (`PUT /me/profile`) is used; with neither the booking is refused (422). Not "
        "for an organisation's booking, whose messages go to the organisation's contact.",
    )

    @model_validator(mode="after")
    def _no_contact_for_organisations(self) -> Self:
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


class BookingPublic(BaseModel):
    """A booking as its organisation and the site's managers see it (no private contact)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    booking_id: uuid.UUID
    series_id: uuid.UUID | None = None
    space_id: uuid.UUID
    space_name: str
    site_id: uuid.UUID
    site_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    activity: str = Field(
        description="Free text. Public in feeds for an organisation's booking; never for a "
        "resident's own booking (see `by_resident`)."
    )
    audience: Audience
    participants: int
    start: datetime
    end: datetime
    local_start: str = Field(
        description="Wall-clock start in Europe/Oslo, ISO 8601 without offset."
    )
    local_end: str
    status: Literal["requested", "confirmed", "rejected", "cancelled"]
    price_ore: int
    price_explanation: str
    version: int = Field(description="Increases on every change (the iCal SEQUENCE).")
    created_at: datetime
    updated_at: datetime
    by_resident: bool = Field(
        default=False,
        description="A resident's own booking (no organisation): public feeds show it as a "
        "private booking, without its activity.",
    )
    resident_id: str | None = Field(
        default=None,
        description="A resident's own booking: the resident's person id. Private, like `contact`.",
    )
    contact: ContactPublic | None = Field(
        default=None, description="A resident's own booking: where the resident's messages go."
    )
    price_explanation_en: str
    cancellation_reason: str | None = None
    rejection_reason: str | None = Field(
        default=None, description="What the site's manager gave as the reason for a rejection."
    )
    team_name: str | None = Field(
        default=None, description="The club's team its series is handed to, if any."
    )


def booking_public(booking: Booking, state: be.BookingState) -> BookingPublic:
    """The answer for a booking: its published state and what only the API shows."""
    return BookingPublic(
        **state.model_dump(exclude={"contact"}),
        contact=None if state.contact is None else ContactPublic(**state.contact.model_dump()),
        price_explanation_en=booking.price_explanation_en,
        cancellation_reason=booking.cancellation_reason,
        rejection_reason=booking.rejection_reason,
    )


class BookingCancel(Body):
    detail: str | None = Field(default=None, max_length=500)


class BookingReject(Body):
    reason: str | None = Field(default=None, max_length=500)
