"""`/organisations`: register and read organisations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from booking import organisations
from booking.organisations import OrganisationCreate, OrganisationPublic
from samspill.auth import CurrentPrincipal, Principal, Role, require_roles
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/organisations", tags=["organisations"])

Registrar = Annotated[Principal, Depends(require_roles(Role.ORG_MEMBER, Role.ADMIN))]


@router.post("", status_code=201)
async def register_organisation(
    body: OrganisationCreate, uow: UnitOfWorkDep, principal: Registrar
) -> OrganisationPublic:
    return await organisations.register(uow, principal, body)


@router.get("")
async def list_organisations(
    uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[OrganisationPublic]:
    return await organisations.list_for(uow.session, principal)


@router.get("/{organisation_id}")
async def get_organisation(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> OrganisationPublic:
    return await organisations.get(uow.session, principal, organisation_id)
