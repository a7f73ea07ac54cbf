"""`/sites`: public to read; admin registers, a site's managers update."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query

from facilities.dependencies import Limit, Now, Offset, Page
from facilities.domain import District, SiteKind
from facilities.sites import queries, use_cases
from facilities.sites.schemas import PreparednessBody, SiteCreate, SitePublic, SiteUpdate
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.events.facilities import SiteState

router = APIRouter(prefix="/sites", tags=["sites"])


def _public(state: SiteState) -> SitePublic:
    return SitePublic.model_validate(state.model_dump())


@router.get("")
async def list_sites(
    uow: UnitOfWorkDep,
    district: District | None = None,
    kind: SiteKind | None = None,
    name: str | None = Query(default=None, max_length=160),
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SitePublic]:
    states, total = await queries.list_sites(
        uow.session, district=district, kind=kind, name=name, limit=limit, offset=offset
    )
    return Page(items=[_public(s) for s in states], total=total, limit=limit, offset=offset)


@router.get("/{site_id}")
async def get_site(site_id: UUID, uow: UnitOfWorkDep) -> SitePublic:
    return _public(await queries.site_details(uow.session, site_id))


@router.post("", status_code=201)
async def register_site(
    data: SiteCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now
) -> SitePublic:
    return _public(await use_cases.register_site(uow, principal, data, now))


@router.patch("/{site_id}")
async def update_site(
    site_id: UUID, data: SiteUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now
) -> SitePublic:
    return _public(await use_cases.update_site(uow, principal, site_id, data, now))


@router.put("/{site_id}/preparedness")
async def set_preparedness(
    site_id: UUID, data: PreparednessBody, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SitePublic:
    """Record what the site offers in an emergency (admins and the site's managers)."""
    return _public(await use_cases.set_preparedness(uow, principal, site_id, data))
