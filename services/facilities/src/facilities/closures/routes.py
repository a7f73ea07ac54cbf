"""`/closures`: public to read; a site's managers close their sites and spaces."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from facilities.closures import queries, use_cases
from facilities.closures.schemas import ClosureCreate, ClosurePublic
from facilities.dependencies import Limit, Now, Offset, Page
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.events.facilities import ClosureState
from samspill.inputs import Instant

router = APIRouter(prefix="/closures", tags=["closures"])


def _public(state: ClosureState) -> ClosurePublic:
    return ClosurePublic.model_validate(state.model_dump())


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
    states, total = await queries.list_closures(
        uow.session,
        site_id=site_id,
        space_id=space_id,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
    )
    return Page(items=[_public(s) for s in states], total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
async def schedule_closure(
    data: ClosureCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now
) -> ClosurePublic:
    return _public(await use_cases.schedule_closure(uow, principal, data, now))


@router.delete("/{closure_id}")
async def lift_closure(
    closure_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ClosurePublic:
    return _public(await use_cases.lift_closure(uow, principal, closure_id))
