"""`/bookings`: request, read, list, approve, reject and cancel hall bookings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import queries, use_cases
from booking.bookings.schemas import (
    BookingCancel,
    BookingCreate,
    BookingPublic,
    BookingReject,
    booking_public,
)
from booking.bookings.states import booking_state
from booking.bookings.tables import Booking
from booking.dependencies import NowDep, SettingsDep
from booking.domain import BookingStatus
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
    return await use_cases.request_booking(uow, principal, body, settings, now)


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
    mine: Annotated[
        bool, Query(description="Only the bookings the caller made (among those they may see).")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[BookingPublic]:
    """The caller's organisations' bookings, their sites' bookings, or all for an admin;
    with `mine`, only those the caller made."""
    filters = queries.BookingFilters(
        space_id=space_id,
        site_id=site_id,
        organisation_id=organisation_id,
        series_id=series_id,
        status=status,
        start=start,
        end=end,
        booker_sub=principal.person_id if mine else None,
        limit=limit,
    )
    bookings = await queries.list_bookings(uow.session, principal, filters)
    return [await answer(uow.session, booking) for booking in bookings]


@router.get("/{booking_id}")
async def get_booking(
    booking_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> BookingPublic:
    booking = await queries.booking_for(uow.session, principal, booking_id)
    return await answer(uow.session, booking)


@router.post("/{booking_id}/approve")
async def approve_booking(
    booking_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep
) -> BookingPublic:
    return await use_cases.approve(uow, principal, booking_id, now)


@router.post("/{booking_id}/reject")
async def reject_booking(
    booking_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    body: BookingReject | None = None,
) -> BookingPublic:
    reason = body.reason if body else None
    return await use_cases.reject(uow, principal, booking_id, reason, now)


@router.post("/{booking_id}/cancel")
async def cancel_booking(
    booking_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    body: BookingCancel | None = None,
) -> BookingPublic:
    detail = body.detail if body else None
    return await use_cases.cancel(uow, principal, booking_id, detail, now)


async def answer(session: AsyncSession, booking: Booking) -> BookingPublic:
    """A booking as the API shows it, from its published state."""
    return booking_public(booking, await booking_state(session, booking))
