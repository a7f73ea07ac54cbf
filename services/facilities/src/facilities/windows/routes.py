"""`/spaces/{id}/windows`: public to read; a site's managers release and withdraw them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from facilities.dependencies import Limit, Now, Offset, Page
from facilities.windows import queries, use_cases
from facilities.windows.schemas import WindowCreate, WindowDates, WindowOccurrence, WindowPublic
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.events.facilities import WindowState
from samspill.inputs import Day

router = APIRouter(prefix="/spaces", tags=["spaces"])


def _public(state: WindowState) -> WindowPublic:
    return WindowPublic.model_validate(state.model_dump())


@router.get("/{space_id}/windows")
async def list_windows(
    space_id: UUID,
    uow: UnitOfWorkDep,
    include_withdrawn: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WindowPublic]:
    states, total = await queries.list_windows(
        uow.session, space_id, include_withdrawn=include_withdrawn, limit=limit, offset=offset
    )
    return Page(items=[_public(s) for s in states], total=total, limit=limit, offset=offset)


@router.post("/{space_id}/windows", status_code=201)
async def release_window(
    space_id: UUID, data: WindowCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now
) -> WindowPublic:
    return _public(await use_cases.release(uow, principal, space_id, data, now))


@router.delete("/{space_id}/windows/{window_id}")
async def withdraw_window(
    space_id: UUID, window_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> WindowPublic:
    """Withdraw the whole window."""
    return _public(await use_cases.withdraw(uow, principal, space_id, window_id))


@router.post("/{space_id}/windows/{window_id}/withdraw-dates")
async def withdraw_window_dates(
    space_id: UUID,
    window_id: UUID,
    data: WindowDates,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
) -> WindowPublic:
    """Withdraw single dates of a weekly window."""
    state = await use_cases.withdraw_dates(uow, principal, space_id, window_id, data, now)
    return _public(state)


@router.get("/{space_id}/windows/{window_id}/occurrences")
async def window_occurrences(
    space_id: UUID,
    window_id: UUID,
    uow: UnitOfWorkDep,
    start: Annotated[Day, Query(alias="from", description="First local date.")],
    end: Annotated[Day, Query(alias="to", description="Last local date (inclusive).")],
) -> list[WindowOccurrence]:
    """When the window is open, as UTC instants (daylight-saving switches applied)."""
    spans = await queries.occurrences(uow.session, space_id, window_id, start, end)
    return [WindowOccurrence(start=i.start, end=i.end) for i in spans]
