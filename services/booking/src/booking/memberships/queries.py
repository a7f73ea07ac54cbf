"""Reading memberships and invitations: an organisation's members with their names, the roles
under the organisation's lock, invitations by code."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.domain import InvitationView, MemberRole, check_usable, invitation_code_hash
from booking.memberships.tables import Invitation, Membership
from booking.organisations import queries as organisations
from booking.organisations.tables import Organisation
from booking.people.tables import Profile
from samspill.auth import Principal
from samspill.errors import Forbidden, NotFound


def not_administrator() -> Forbidden:
    return Forbidden(
        "Only the organisation's administrators may do this.",
        "Bare organisasjonens administratorer kan gjøre dette.",
    )


async def administered(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID
) -> Organisation:
    """The organisation, when the caller administers it: 404 for a non-member, 403 for a
    member who is not an administrator."""
    organisation = await organisations.get(session, principal, organisation_id)
    if not principal.administers(organisation.id):
        raise not_administrator()
    return organisation


@dataclass(frozen=True)
class Member:
    membership: Membership
    display_name: str | None


async def roles_of(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, MemberRole]:
    rows = await session.execute(
        select(col(Membership.person_id), col(Membership.role)).where(
            col(Membership.organisation_id) == organisation_id
        )
    )
    return {person_id: MemberRole(role) for person_id, role in rows.all()}


async def lock_roles(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, MemberRole]:
    """The members' roles, read after locking the organisation's row until the transaction
    ends: every membership change takes this lock first, so two changes (two demotions, a
    demotion and a removal) see each other and cannot both remove the last administrator."""
    await session.execute(
        select(col(Organisation.id))
        .where(col(Organisation.id) == organisation_id)
        .with_for_update()
    )
    return await roles_of(session, organisation_id)


async def members_of(session: AsyncSession, organisation_id: uuid.UUID) -> list[Member]:
    """The members, administrators first (the roles sort so), each with their profile's
    display name."""
    rows = await session.execute(
        select(Membership, col(Profile.display_name))
        .outerjoin(Profile, col(Profile.person_id) == col(Membership.person_id))
        .where(col(Membership.organisation_id) == organisation_id)
        .order_by(col(Membership.role), col(Profile.display_name), col(Membership.person_id))
    )
    return [Member(membership, name) for membership, name in rows.all()]


async def member(session: AsyncSession, organisation_id: uuid.UUID, person_id: str) -> Member:
    membership = await session.get(
        Membership, {"organisation_id": organisation_id, "person_id": person_id}
    )
    if membership is None:
        raise not_a_member(person_id)
    profile = await session.get(Profile, person_id)
    return Member(membership, None if profile is None else profile.display_name)


def not_a_member(person_id: str) -> NotFound:
    return NotFound(
        f"{person_id} is not a member of the organisation.",
        f"{person_id} er ikke medlem av organisasjonen.",
    )


async def memberships_of(
    session: AsyncSession, person_id: str
) -> list[tuple[Membership, Organisation]]:
    """A person's memberships with their organisations, by organisation name."""
    rows = await session.execute(
        select(Membership, Organisation)
        .join(Organisation, col(Organisation.id) == col(Membership.organisation_id))
        .where(col(Membership.person_id) == person_id)
        .order_by(col(Organisation.name))
    )
    return [(membership, organisation) for membership, organisation in rows.all()]


async def invitation_by_code(session: AsyncSession, code: str, *, lock: bool = False) -> Invitation:
    """The invitation a code belongs to (locked for acceptance with `lock`), else 404."""
    query = select(Invitation).where(col(Invitation.code_hash) == invitation_code_hash(code))
    if lock:
        query = query.with_for_update()
    invitation = (await session.execute(query)).scalar_one_or_none()
    if invitation is None:
        raise NotFound(
            "No invitation has this code; check the link.",
            "Ingen invitasjon har denne koden; sjekk lenken.",
        )
    return invitation


def invitation_view(invitation: Invitation) -> InvitationView:
    return InvitationView(
        email=invitation.email,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        withdrawn_at=invitation.withdrawn_at,
    )


@dataclass(frozen=True)
class InvitationPreview:
    invitation: Invitation
    organisation: Organisation
    invited_by_name: str | None


async def preview(session: AsyncSession, code: str, now: datetime) -> InvitationPreview:
    """What the acceptance page shows; the same refusals as accepting (404, 409, 410)."""
    invitation = await invitation_by_code(session, code)
    check_usable(invitation_view(invitation), now)
    organisation = await session.get(Organisation, invitation.organisation_id)
    assert organisation is not None  # a foreign key
    inviter = await session.get(Profile, invitation.invited_by)
    return InvitationPreview(
        invitation, organisation, None if inviter is None else inviter.display_name
    )


async def pending_invitations(
    session: AsyncSession, organisation_id: uuid.UUID, now: datetime
) -> Sequence[Invitation]:
    """Invitations that can still be accepted, newest first."""
    query = (
        select(Invitation)
        .where(
            col(Invitation.organisation_id) == organisation_id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.withdrawn_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id))
    )
    return (await session.execute(query)).scalars().all()


async def invitation_for_update(
    session: AsyncSession, organisation_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation:
    query = (
        select(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.organisation_id) == organisation_id,
        )
        .with_for_update()
    )
    invitation = (await session.execute(query)).scalar_one_or_none()
    if invitation is None:
        raise NotFound(
            f"Unknown invitation {invitation_id}.", f"Ukjent invitasjon {invitation_id}."
        )
    return invitation
