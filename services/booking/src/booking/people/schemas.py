"""Request and response bodies of `/me` and the profile."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from booking.memberships.schemas import MembershipPublic
from booking.people.tables import Profile
from samspill.events.booking import Channel, Language
from samspill.inputs import MAX_NAME_CHARS, Email, Phone


class ProfileIn(BaseModel):
    """A person's own details: messages to them (a booking or loan without a contact of its
    own, invitations they accept) go here."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    email: Email | None = Field(
        default=None, description="Needed to accept an invitation and for the channel 'email'."
    )
    phone: Phone | None = Field(default=None, description="Needed for the channel 'sms'.")
    language: Language = "nb"
    channel: Channel = "email"

    @model_validator(mode="after")
    def _reachable_on_the_channel(self) -> Self:
        if self.channel == "email" and not self.email:
            raise ValueError("an email address is needed for the channel 'email'")
        if self.channel == "sms" and not self.phone:
            raise ValueError("a phone number is needed for the channel 'sms'")
        return self


class ProfilePublic(BaseModel):
    person_id: str
    display_name: str
    email: str | None
    phone: str | None
    language: Language
    channel: Channel
    updated_at: datetime


def profile_public(profile: Profile) -> ProfilePublic:
    return ProfilePublic.model_validate(profile, from_attributes=True)


class MePublic(BaseModel):
    """Who the caller is to Samspill and what they may do here."""

    person_id: str
    is_admin: bool
    profile: ProfilePublic | None = Field(
        description="Null until the person has entered it (ID-porten gives no name)."
    )
    memberships: list[MembershipPublic]
    managed_site_ids: list[str] = Field(description="Sites whose bookings the person approves.")
    staffed_centre_ids: list[str] = Field(description="Equipment centres the person staffs.")
    is_emergency_staff: bool = Field(
        default=False, description="Granted the municipality's emergency role."
    )
