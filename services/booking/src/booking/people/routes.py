"""`/me`: who the caller is and what they may do; `/me/profile`: their own details."""

from __future__ import annotations

from fastapi import APIRouter

from booking.dependencies import NowDep, SettingsDep
from booking.memberships import queries as memberships
from booking.memberships.schemas import membership_public
from booking.people import queries, use_cases
from booking.people.schemas import MePublic, ProfileIn, ProfilePublic, profile_public
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/me", tags=["people"])


@router.get("")
async def me(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> MePublic:
    """The caller's person id, profile, memberships and staff grants."""
    profile = await queries.profile_of(uow.session, principal.person_id)
    joined = await memberships.memberships_of(uow.session, principal.person_id)
    return MePublic(
        person_id=principal.person_id,
        is_admin=principal.is_admin,
        profile=None if profile is None else profile_public(profile),
        memberships=[membership_public(m, organisation) for m, organisation in joined],
        managed_site_ids=sorted(principal.site_ids),
        staffed_centre_ids=sorted(principal.centre_ids),
        is_emergency_staff=principal.is_emergency_staff,
    )


@router.put("/profile")
async def put_profile(
    body: ProfileIn,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    settings: SettingsDep,
) -> ProfilePublic:
    """Enter or change one's display name, email, phone, language and preferred channel
    (a person only: 403 for an integration's token).

    `sms` is refused (422, `sms-not-available`) when no SMS provider is configured."""
    saved = await use_cases.save_profile(
        uow, principal, body, now, sms_available=settings.sms_available
    )
    return profile_public(saved)
