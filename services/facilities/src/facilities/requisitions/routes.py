"""`/requisitions`: the municipality's emergency staff take sites in an emergency."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from facilities.dependencies import Limit, Now, Offset, Page
from facilities.requisitions import queries, use_cases
from facilities.requisitions.schemas import RequisitionCreate, RequisitionPublic
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/requisitions", tags=["requisitions"])


@router.get("")
async def list_requisitions(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    site_id: UUID | None = None,
    active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RequisitionPublic]:
    """Requisitions, newest first (emergency staff and admins)."""
    rows, total = await queries.list_requisitions(
        uow.session, principal, site_id=site_id, active=active, limit=limit, offset=offset
    )
    items = [RequisitionPublic.of(row, name) for row, name in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
async def start_requisition(
    data: RequisitionCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now
) -> RequisitionPublic:
    """Take the site (or the spaces) for the period: overlapping bookings and loans are
    cancelled and new bookings refused (emergency staff and admins; 422 when the end is not after
    the start)."""
    return await use_cases.start_requisition(uow, principal, data, now)


@router.post("/{requisition_id}/lift")
async def lift_requisition(
    requisition_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now
) -> RequisitionPublic:
    """End the requisition: the cancelled times still free are offered back (emergency staff
    and admins; 409 when lifted already)."""
    return await use_cases.lift_requisition(uow, principal, requisition_id, now)
