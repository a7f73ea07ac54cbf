"""Request and response bodies of memberships and invitations (never the invitation code)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from booking.domain import MemberRole
from booking.memberships.tables import Invitation, Membership
from booking.organisations.tables import Organisation
from samspill.events.booking import Language
from samspill.inputs import Email


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberRoleChange(Body):
    role: MemberRole


class InvitationCreate(Body):
    email: Email = Field(
        description="Where the link goes; only a person whose profile has this "
        "address (in any letter case) can accept it."
    )
    role: MemberRole
    language: Language = Field(default="nb", description="The language of the email.")


class MemberPublic(BaseModel):
    person_id: str
    role: MemberRole
    display_name: str | None = Field(
        description="From the member's profile; null until they have entered one."
    )
    joined_at: datetime


def member_public(membership: Membership, display_name: str | None) -> MemberPublic:
    return MemberPublic(
        person_id=membership.person_id,
        role=MemberRole(membership.role),
        display_name=display_name,
        joined_at=membership.joined_at,
    )


class MembershipPublic(BaseModel):
    """One of the caller's memberships."""

    organisation_id: uuid.UUID
    organisation_name: str
    role: MemberRole


def membership_public(membership: Membership, organisation: Organisation) -> MembershipPublic:
    return MembershipPublic(
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        role=MemberRole(membership.role),
    )


def language_of(value: str) -> Language:
    return "en" if value == "en" else "nb"


class InvitationPublic(BaseModel):
    """A pending invitation as its organisation's administrators see it (without the code,
    which is not stored)."""

    invitation_id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    role: MemberRole
    language: Language
    invited_by: str = Field(description="The person id of the administrator who invited.")
    created_at: datetime
    expires_at: datetime


def invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic(
        invitation_id=invitation.id,
        organisation_id=invitation.organisation_id,
        email=invitation.email,
        role=MemberRole(invitation.role),
        language=language_of(invitation.language),
        invited_by=invitation.invited_by,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


class InvitationPreviewPublic(BaseModel):
    """What the acceptance page shows the holder of the link."""

    organisation_id: uuid.UUID
    organisation_name: str
    role: MemberRole
    email: str = Field(
        description="The address the invitation was sent to: the profile of "
        "whoever accepts it must have it."
    )
    invited_by_name: str | None
    expires_at: datetime
