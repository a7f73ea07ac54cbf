"""`/bookings`: request, read, list, approve, reject and cancel hall bookings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from booking.api.deps import NowDep, SettingsDep
from booking.domain import BookingStatus
from booking.halls import service
from booking.halls.schemas import BookingCancel, BookingCreate, BookingPublic, BookingReject
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.inputs import Instant

router = APIRouter(prefix="/bookings", tags=["bookings"])


@router.post("", status_code=201)
async def request_booking(
    body: BookingCreate,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    now: NowDep,
) -> BookingPublic:
    """Book a space; `confirmed` at once, or `requested` where the site approves requests."""
    return await service.request_booking(uow, principal, body, settings, now)


@router.get("")
async def list_bookings(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    space_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    series_id: uuid.UUID | None = None,
    status: BookingStatus | None = None,
    start: Annotated[Instant | None, Query(alias="from")] = None,
    end: Annotated[Instant | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[BookingPublic]:
    """The caller's organisations' bookings, their sites' bookings, or all for an admin."""
    filters = service.BookingFilters(
        space_id=space_id,
        site_id=site_id,
        organisation_id=organisation_id,
        series_id=series_id,
        status=status,
        start=start,
        end=end,
        limit=limit,
    )
    return await service.list_bookings(uow.session, principal, filters)


@router.get("/{booking_id}")
async def get_booking(
    booking_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> BookingPublic:
    return await service.get_booking(uow.session, principal, booking_id)


@router.post("/{booking_id}/approve")
async def approve_booking(
    booking_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep
) -> BookingPublic:
    return await service.approve(uow, principal, booking_id, now)


@router.post("/{booking_id}/reject")
async def reject_booking(
    booking_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    body: BookingReject | None = None,
) -> BookingPublic:
    reason = body.reason if body else None
    return await service.reject(uow, principal, booking_id, reason, now)


@router.post("/{booking_id}/cancel")
async def cancel_booking(
    booking_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    body: BookingCancel | None = None,
) -> BookingPublic:
    detail = body.detail if body else None
    return await service.cancel(uow, principal, booking_id, detail, now)
