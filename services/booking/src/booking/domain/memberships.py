"""Organisation memberships and invitations: the roles, the rule that an organisation keeps an
administrator, and when an invitation may be accepted.

Whoever registers an organisation becomes its administrator; administrators invite people by
email with a single-use code that expires, change members' roles and remove members, and any
member may leave — but never so that an organisation that has an administrator is left
without one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from booking.domain.errors import (
    InvitationForSomeoneElse,
    InvitationGone,
    InvitationUsed,
    LastAdministrator,
    ProfileNeeded,
)

INVITATION_CODE_BYTES = 32  # 43 URL-safe characters: not guessable, short enough for a link


class MemberRole(StrEnum):
    """Administrators manage the members, bookers book in the organisation's name, viewers see
    its bookings and calendar."""

    ADMINISTRATOR = "administrator"
    BOOKER = "booker"
    VIEWER = "viewer"


def administrators(roles: Mapping[str, MemberRole]) -> frozenset[str]:
    return frozenset(person for person, role in roles.items() if role is MemberRole.ADMINISTRATOR)


def apply_change(
    roles: Mapping[str, MemberRole], person_id: str, role: MemberRole | None
) -> dict[str, MemberRole]:
    """The members after `person_id` gets `role` (None: leaves or is removed)."""
    changed = dict(roles)
    if role is None:
        changed.pop(person_id, None)
    else:
        changed[person_id] = role
    return changed


def check_membership_change(
    roles: Mapping[str, MemberRole], person_id: str, role: MemberRole | None
) -> None:
    """Refuse (409) removing or demoting the last administrator.

    An organisation without any administrator (registered on its behalf by an integration)
    may change as it likes until it gets one; from then on it always keeps one.
    """
    if administrators(roles) and not administrators(apply_change(roles, person_id, role)):
        raise LastAdministrator()


def new_invitation_code() -> str:
    return secrets.token_urlsafe(INVITATION_CODE_BYTES)


def invitation_code_hash(code: str) -> str:
    """What is stored of a code: its SHA-256. A code has 256 random bits, so no salt or slow
    hash is needed, and the hash finds the invitation by equality."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def same_email(first: str, second: str) -> bool:
    return first.strip().casefold() == second.strip().casefold()


@dataclass(frozen=True)
class InvitationView:
    email: str
    expires_at: datetime
    accepted_at: datetime | None = None
    withdrawn_at: datetime | None = None


def check_usable(invitation: InvitationView, now: datetime) -> None:
    """409 once used, 410 once withdrawn or expired."""
    if invitation.accepted_at is not None:
        raise InvitationUsed()
    if invitation.withdrawn_at is not None:
        raise InvitationGone("withdrawn")
    if now >= invitation.expires_at:
        raise InvitationGone("expired")


def check_acceptance(invitation: InvitationView, now: datetime, profile_email: str | None) -> None:
    """The invitation is still usable and addressed to the caller's profile email."""
    check_usable(invitation, now)
    if profile_email is None:
        raise ProfileNeeded()
    if not same_email(profile_email, invitation.email):
        raise InvitationForSomeoneElse()
