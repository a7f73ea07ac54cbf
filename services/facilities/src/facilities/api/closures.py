"""`/closures`: public to read; a site's managers close their sites and spaces."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from facilities import closures
from facilities.api.deps import Limit, Offset
from facilities.common import now_utc
from facilities.schemas import ClosureCreate, ClosurePublic, Page
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.inputs import Instant

router = APIRouter(prefix="/closures", tags=["closures"])


@router.get("")
async def list_closures(
    uow: UnitOfWorkDep,
    site_id: UUID | None = None,
    space_id: UUID | None = None,
    start: Annotated[Instant | None, Query(alias="from")] = None,
    end: Annotated[Instant | None, Query(alias="to")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ClosurePublic]:
    return await closures.list_closures(
        uow.session,
        site_id=site_id,
        space_id=space_id,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
    )


@router.post("", status_code=201)
async def schedule_closure(
    data: ClosureCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ClosurePublic:
    return await closures.schedule_closure(uow, principal, data, now_utc())


@router.delete("/{closure_id}")
async def lift_closure(
    closure_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ClosurePublic:
    return await closures.lift_closure(uow, principal, closure_id)
