"""`/spaces` and `/spaces/{id}/windows`: public to read; a site's managers change them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from facilities import spaces, windows
from facilities.api.deps import Limit, Offset
from facilities.common import now_utc
from facilities.domain import District, SiteKind, SpaceKind
from facilities.schemas import (
    MAX_CAPACITY,
    Page,
    SpaceCreate,
    SpacePublic,
    SpaceUpdate,
    WindowCreate,
    WindowDates,
    WindowOccurrence,
    WindowPublic,
)
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.inputs import Day

router = APIRouter(prefix="/spaces", tags=["spaces"])


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
    return await spaces.list_spaces(
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


@router.get("/{space_id}")
async def get_space(space_id: UUID, uow: UnitOfWorkDep) -> SpacePublic:
    return await spaces.get_space_public(uow.session, space_id)


@router.post("", status_code=201)
async def register_space(
    data: SpaceCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SpacePublic:
    return await spaces.register_space(uow, principal, data)


@router.patch("/{space_id}")
async def update_space(
    space_id: UUID, data: SpaceUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SpacePublic:
    return await spaces.update_space(uow, principal, space_id, data)


@router.delete("/{space_id}")
async def retire_space(
    space_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SpacePublic:
    """Retire the space: it stays on record but can no longer be booked."""
    return await spaces.retire_space(uow, principal, space_id)


@router.get("/{space_id}/windows")
async def list_windows(
    space_id: UUID,
    uow: UnitOfWorkDep,
    include_withdrawn: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WindowPublic]:
    return await windows.list_windows(
        uow.session, space_id, include_withdrawn=include_withdrawn, limit=limit, offset=offset
    )


@router.post("/{space_id}/windows", status_code=201)
async def release_window(
    space_id: UUID, data: WindowCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> WindowPublic:
    return await windows.release(uow, principal, space_id, data, now_utc())


@router.delete("/{space_id}/windows/{window_id}")
async def withdraw_window(
    space_id: UUID, window_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> WindowPublic:
    """Withdraw the whole window."""
    return await windows.withdraw(uow, principal, space_id, window_id)


@router.post("/{space_id}/windows/{window_id}/withdraw-dates")
async def withdraw_window_dates(
    space_id: UUID,
    window_id: UUID,
    data: WindowDates,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
) -> WindowPublic:
    """Withdraw single dates of a weekly window."""
    return await windows.withdraw_dates(uow, principal, space_id, window_id, data, now_utc())


@router.get("/{space_id}/windows/{window_id}/occurrences")
async def window_occurrences(
    space_id: UUID,
    window_id: UUID,
    uow: UnitOfWorkDep,
    start: Annotated[Day, Query(alias="from", description="First local date.")],
    end: Annotated[Day, Query(alias="to", description="Last local date (inclusive).")],
) -> list[WindowOccurrence]:
    """When the window is open, as UTC instants (daylight-saving switches applied)."""
    return await windows.occurrences(uow.session, space_id, window_id, start, end)
