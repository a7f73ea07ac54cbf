"""`/spaces`: public to read; a site's managers change them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query

from facilities.dependencies import Limit, Offset, Page
from facilities.domain import District, SiteKind, SpaceKind
from facilities.spaces import queries, use_cases
from facilities.spaces.schemas import MAX_CAPACITY, SpaceCreate, SpacePublic, SpaceUpdate
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.events.facilities import SpaceState

router = APIRouter(prefix="/spaces", tags=["spaces"])


def _public(state: SpaceState) -> SpacePublic:
    return SpacePublic.model_validate(state.model_dump())


@router.get("")
async def list_spaces(
    uow: UnitOfWorkDep,
    site_id: UUID | None = None,
    kind: SpaceKind | None = None,
    district: District | None = None,
    site_kind: SiteKind | None = None,
    min_capacity: int | None = Query(default=None, ge=1, le=MAX_CAPACITY),
    include_retired: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SpacePublic]:
    states, total = await queries.list_spaces(
        uow.session,
        site_id=site_id,
        kind=kind,
        district=None if district is None else district.value,
        site_kind=site_kind,
        min_capacity=min_capacity,
        include_retired=include_retired,
        limit=limit,
        offset=offset,
    )
    return Page(items=[_public(s) for s in states], total=total, limit=limit, offset=offset)


@router.get("/{space_id}")
async def get_space(space_id: UUID, uow: UnitOfWorkDep) -> SpacePublic:
    return _public(await queries.space_details(uow.session, space_id))


@router.post("", status_code=201)
async def register_space(
    data: SpaceCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SpacePublic:
    return _public(await use_cases.register_space(uow, principal, data))


@router.patch("/{space_id}")
async def update_space(
    space_id: UUID, data: SpaceUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SpacePublic:
    return _public(await use_cases.update_space(uow, principal, space_id, data))


@router.delete("/{space_id}")
async def retire_space(
    space_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SpacePublic:
    """Retire the space: it stays on record but can no longer be booked."""
    return _public(await use_cases.retire_space(uow, principal, space_id))
