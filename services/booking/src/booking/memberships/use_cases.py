"""Changing memberships: the founder, roles, removals and leaving, invitations and accepting.

Every change of a membership takes the organisation's row lock first (`queries.lock_roles`),
checks the caller and the one-administrator rule on the roles read under it, writes the row
and publishes `MembershipChanged` with the person's role (None once they are no longer a
member), all in one unit of work.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col

from booking.config import BookingSettings
from booking.domain import (
    InvitationUsed,
    MemberRole,
    check_acceptance,
    check_membership_change,
    invitation_code_hash,
    new_invitation_code,
)
from booking.memberships import queries
from booking.memberships.queries import invitation_view
from booking.memberships.schemas import InvitationCreate
from booking.memberships.states import invitation_state, membership_state
from booking.memberships.tables import Invitation, Membership
from booking.organisations import queries as organisations
from booking.organisations.tables import Organisation
from booking.people.tables import Profile
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Forbidden
from samspill.events import booking as be


def require_administrator(principal: Principal, roles: dict[str, MemberRole]) -> None:
    """The caller administers the organisation as its roles are now (read under the lock)."""
    if not (principal.is_admin or roles.get(principal.person_id) is MemberRole.ADMINISTRATOR):
        raise queries.not_administrator()


async def set_role(
    uow: UnitOfWork,
    organisation_id: uuid.UUID,
    person_id: str,
    role: MemberRole | None,
    roles: dict[str, MemberRole],
    now: datetime,
) -> None:
    """Give `person_id` the role (None: remove them), under the rule, with its event.

    `roles` are the members' roles read under the organisation's lock; nothing is written or
    published when the role does not change."""
    if roles.get(person_id) == role:
        return
    check_membership_change(roles, person_id, role)
    session = uow.session
    if role is None:
        await session.execute(
            delete(Membership).where(
                col(Membership.organisation_id) == organisation_id,
                col(Membership.person_id) == person_id,
            )
        )
    else:
        key = {"organisation_id": organisation_id, "person_id": person_id}
        membership = await session.get(Membership, key)
        if membership is None:
            session.add(
                Membership(
                    organisation_id=organisation_id,
                    person_id=person_id,
                    role=role.value,
                    joined_at=now,
                )
            )
        else:
            membership.role = role.value
        await session.flush()
    event = be.MembershipChanged(membership=membership_state(organisation_id, person_id, role))
    await uow.publish(event, key=str(organisation_id))


async def admit_founder(
    uow: UnitOfWork, principal: Principal, organisation: Organisation, now: datetime
) -> None:
    """Whoever registers an organisation becomes its administrator: a municipal admin too,
    who can then invite the club's own leader and leave. An integration (no person) does not."""
    if principal.is_person:
        await set_role(uow, organisation.id, principal.person_id, MemberRole.ADMINISTRATOR, {}, now)


async def change_role(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    person_id: str,
    role: MemberRole,
    now: datetime,
) -> queries.Member:
    session = uow.session
    organisation = await organisations.get(session, principal, organisation_id)
    roles = await queries.lock_roles(session, organisation.id)
    require_administrator(principal, roles)
    if person_id not in roles:
        raise queries.not_a_member(person_id)
    await set_role(uow, organisation.id, person_id, role, roles, now)
    found = await queries.member(session, organisation.id, person_id)
    await uow.commit()
    return found


async def remove_member(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    person_id: str,
    now: datetime,
) -> None:
    """An administrator removes a member, or a member leaves."""
    session = uow.session
    organisation = await organisations.get(session, principal, organisation_id)
    roles = await queries.lock_roles(session, organisation.id)
    if person_id != principal.person_id:
        require_administrator(principal, roles)
    if person_id not in roles:
        raise queries.not_a_member(person_id)
    await set_role(uow, organisation.id, person_id, None, roles, now)
    await uow.commit()


async def invite(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    body: InvitationCreate,
    settings: BookingSettings,
    now: datetime,
) -> Invitation:
    """Store the invitation with the hash of a new code; the code goes out in the event only."""
    session = uow.session
    organisation = await queries.administered(session, principal, organisation_id)
    code = new_invitation_code()
    invitation = Invitation(
        organisation_id=organisation.id,
        email=str(body.email),
        role=body.role.value,
        language=body.language,
        code_hash=invitation_code_hash(code),
        invited_by=principal.person_id,
        created_at=now,
        expires_at=now + timedelta(days=settings.invitation_ttl_days),
    )
    session.add(invitation)
    await session.flush()
    inviter = await session.get(Profile, principal.person_id)
    state = invitation_state(
        invitation, organisation, code, None if inviter is None else inviter.display_name
    )
    await uow.publish(be.InvitationCreated(invitation=state), key=str(organisation.id))
    await uow.commit()
    return invitation


async def withdraw_invitation(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    invitation_id: uuid.UUID,
    now: datetime,
) -> None:
    """An administrator withdraws a pending invitation: its link answers 410 from now on.
    Withdrawing it again changes nothing; a used one cannot be withdrawn (409)."""
    session = uow.session
    organisation = await queries.administered(session, principal, organisation_id)
    invitation = await queries.invitation_for_update(session, organisation.id, invitation_id)
    if invitation.withdrawn_at is not None:
        return
    if invitation.accepted_at is not None:
        raise InvitationUsed()
    invitation.withdrawn_at = now
    await uow.commit()


async def accept_invitation(
    uow: UnitOfWork, principal: Principal, code: str, now: datetime
) -> tuple[Membership, Organisation]:
    """The invitee joins with the invitation's role (or gets it, if already a member), and the
    invitation is used up — both or neither, under the invitation's row lock."""
    if not principal.is_person:
        raise Forbidden(
            "Only a person can accept an invitation.", "Bare en person kan godta en invitasjon."
        )
    session = uow.session
    invitation = await queries.invitation_by_code(session, code, lock=True)
    profile = await session.get(Profile, principal.person_id)
    check_acceptance(invitation_view(invitation), now, None if profile is None else profile.email)
    roles = await queries.lock_roles(session, invitation.organisation_id)
    role = MemberRole(invitation.role)
    await set_role(uow, invitation.organisation_id, principal.person_id, role, roles, now)
    invitation.accepted_at = now
    invitation.accepted_by = principal.person_id
    await session.flush()
    found = await queries.member(session, invitation.organisation_id, principal.person_id)
    organisation = await session.get(Organisation, invitation.organisation_id)
    assert organisation is not None  # a foreign key
    await uow.commit()
    return found.membership, organisation
