"""`/sites`: public to read; admin registers, a site's managers update."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query, Request

from facilities import sites
from facilities.api.deps import Limit, Offset, event_source
from facilities.common import now_utc
from facilities.domain import District, SiteKind
from facilities.schemas import Page, SiteCreate, SitePublic, SiteUpdate
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/sites", tags=["sites"])


@router.get("")
async def list_sites(
    uow: UnitOfWorkDep,
    district: District | None = None,
    kind: SiteKind | None = None,
    name: str | None = Query(default=None, max_length=160),
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SitePublic]:
    return await sites.list_sites(
        uow.session, district=district, kind=kind, name=name, limit=limit, offset=offset
    )


@router.get("/{site_id}")
async def get_site(site_id: UUID, uow: UnitOfWorkDep) -> SitePublic:
    return await sites.get_site_public(uow.session, site_id)


@router.post("", status_code=201)
async def register_site(
    data: SiteCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal, request: Request
) -> SitePublic:
    return await sites.register_site(uow, principal, data, now_utc(), source=event_source(request))


@router.patch("/{site_id}")
async def update_site(
    site_id: UUID,
    data: SiteUpdate,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    request: Request,
) -> SitePublic:
    return await sites.update_site(
        uow, principal, site_id, data, now_utc(), source=event_source(request)
    )
