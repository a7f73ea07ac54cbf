"""Members of an organisation and invitations to join it:
`/organisations/{id}/members`, `/organisations/{id}/invitations`, `/invitations/{code}`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from booking.dependencies import NowDep, SettingsDep
from booking.domain import MemberRole
from booking.memberships import queries, use_cases
from booking.memberships.schemas import (
    InvitationCreate,
    InvitationPreviewPublic,
    InvitationPublic,
    MemberPublic,
    MemberRoleChange,
    MembershipPublic,
    invitation_public,
    member_public,
    membership_public,
)
from booking.organisations import queries as organisations
from booking.personal_data.use_cases import record_member_views
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["members"])

PersonId = Annotated[str, Path(min_length=1, max_length=80, description="A Samspill person id.")]
Code = Annotated[str, Path(min_length=16, max_length=100, description="The code of the link.")]
MEMBERS = "/organisations/{organisation_id}/members"
INVITATIONS = "/organisations/{organisation_id}/invitations"


@router.get(MEMBERS)
async def list_members(
    organisation_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    reason: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=500,
            description="Why someone outside the organisation looks, for the access log.",
        ),
    ] = None,
) -> list[MemberPublic]:
    """The organisation's members (for its members and municipal admins; an admin's view is
    recorded in the access log)."""
    organisation = await organisations.get(uow.session, principal, organisation_id)
    members = await queries.members_of(uow.session, organisation.id)
    shown = [m.membership.person_id for m in members]
    await record_member_views(uow, principal, organisation.id, shown, reason or "member list", now)
    return [member_public(m.membership, m.display_name) for m in members]


@router.patch(f"{MEMBERS}/{{person_id}}")
async def change_member_role(
    organisation_id: uuid.UUID,
    person_id: PersonId,
    body: MemberRoleChange,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> MemberPublic:
    """Administrators change a member's role; the last administrator stays one (409)."""
    found = await use_cases.change_role(uow, principal, organisation_id, person_id, body.role, now)
    return member_public(found.membership, found.display_name)


@router.delete(f"{MEMBERS}/{{person_id}}", status_code=204)
async def remove_member(
    organisation_id: uuid.UUID,
    person_id: PersonId,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> Response:
    """Administrators remove a member; anyone may remove themself (leave). The last
    administrator cannot go (409)."""
    await use_cases.remove_member(uow, principal, organisation_id, person_id, now)
    return Response(status_code=204)


@router.post(INVITATIONS, status_code=201)
async def invite(
    organisation_id: uuid.UUID,
    body: InvitationCreate,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    now: NowDep,
) -> InvitationPublic:
    """Administrators invite someone by email; the link (a single-use code) is emailed to them
    and expires after `INVITATION_TTL_DAYS` days."""
    invitation = await use_cases.invite(uow, principal, organisation_id, body, settings, now)
    return invitation_public(invitation)


@router.get(INVITATIONS)
async def list_invitations(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep
) -> list[InvitationPublic]:
    """Invitations that can still be accepted (for the organisation's administrators)."""
    organisation = await queries.administered(uow.session, principal, organisation_id)
    pending = await queries.pending_invitations(uow.session, organisation.id, now)
    return [invitation_public(invitation) for invitation in pending]


@router.delete(f"{INVITATIONS}/{{invitation_id}}", status_code=204)
async def withdraw_invitation(
    organisation_id: uuid.UUID,
    invitation_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> Response:
    await use_cases.withdraw_invitation(uow, principal, organisation_id, invitation_id, now)
    return Response(status_code=204)


@router.get("/invitations/{code}")
async def show_invitation(code: Code, uow: UnitOfWorkDep, now: NowDep) -> InvitationPreviewPublic:
    """What an invitation offers, for the page its link opens (the code is the key: no token
    needed). 404 unknown, 409 used, 410 expired or withdrawn."""
    found = await queries.preview(uow.session, code, now)
    return InvitationPreviewPublic(
        organisation_id=found.organisation.id,
        organisation_name=found.organisation.name,
        role=MemberRole(found.invitation.role),
        email=found.invitation.email,
        invited_by_name=found.invited_by_name,
        expires_at=found.invitation.expires_at,
    )


@router.post("/invitations/{code}/accept")
async def accept_invitation(
    code: Code, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep
) -> MembershipPublic:
    """Join the organisation. The caller's profile email must be the invitation's (403
    otherwise, or when there is no profile yet); 404 unknown, 409 used, 410 expired or
    withdrawn; nothing changes on a refusal."""
    membership, organisation = await use_cases.accept_invitation(uow, principal, code, now)
    return membership_public(membership, organisation)
