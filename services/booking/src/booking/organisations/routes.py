"""`/organisations`: register and read organisations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from booking.dependencies import NowDep, SettingsDep
from booking.organisations import queries, use_cases
from booking.organisations.schemas import (
    OrganisationCreate,
    OrganisationPublic,
    organisation_public,
)
from samspill.auth import CurrentPrincipal, Principal, Role, require_roles
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/organisations", tags=["organisations"])

# Any person (who becomes the administrator), or an integration with the admin scope.
Registrar = Annotated[Principal, Depends(require_roles(Role.RESIDENT, Role.ADMIN))]


@router.post("", status_code=201)
async def register_organisation(
    body: OrganisationCreate,
    uow: UnitOfWorkDep,
    principal: Registrar,
    now: NowDep,
    settings: SettingsDep,
) -> OrganisationPublic:
    """Register an organisation; the registrant becomes its administrator.

    A contact on the channel `sms` is refused (422, `sms-not-available`) when no SMS provider
    is configured."""
    registered = await use_cases.register(
        uow, principal, body, now, sms_available=settings.sms_available
    )
    return organisation_public(registered)


@router.get("")
async def list_organisations(
    uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[OrganisationPublic]:
    rows = await queries.list_for(uow.session, principal)
    return [organisation_public(row) for row in rows]


@router.get("/{organisation_id}")
async def get_organisation(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> OrganisationPublic:
    return organisation_public(await queries.get(uow.session, principal, organisation_id))
