"""Memberships and invitations as event-contract states (what their events carry)."""

from __future__ import annotations

import uuid

from booking.domain import MemberRole
from booking.memberships.tables import Invitation
from booking.organisations.tables import Organisation
from samspill.events import booking as be


def membership_state(
    organisation_id: uuid.UUID, person_id: str, role: MemberRole | None
) -> be.MembershipState:
    return be.MembershipState(
        organisation_id=organisation_id,
        person_id=person_id,
        role=None if role is None else role.value,
    )


def invitation_state(
    invitation: Invitation, organisation: Organisation, code: str, invited_by_name: str | None
) -> be.InvitationState:
    return be.InvitationState(
        invitation_id=invitation.id,
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        email=invitation.email,
        role=invitation.role,
        code=code,
        expires_at=invitation.expires_at,
        invited_by_name=invited_by_name,
        language=invitation.language,
    )
