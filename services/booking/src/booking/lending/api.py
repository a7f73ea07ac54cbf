"""HTTP routes of equipment lending (thin: parse, call the use case, answer)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from booking.config import BookingSettings
from booking.domain import LoanStatus
from booking.lending import service
from booking.lending.config import LendingSettings
from booking.lending.schemas import (
    LendingAvailability,
    LoanCreate,
    LoanPickup,
    LoanPublic,
    LoanReturn,
)
from samspill.auth import CurrentPrincipal, Principal, Role, require_roles
from samspill.db import UnitOfWorkDep
from samspill.inputs import Day

router = APIRouter(tags=["lending"])

Resident = Annotated[Principal, Depends(require_roles(Role.RESIDENT))]


def lending_settings(request: Request) -> LendingSettings:
    settings: BookingSettings = request.app.state.settings
    return settings.lending


def now() -> datetime:
    return datetime.now(UTC)


Settings = Annotated[LendingSettings, Depends(lending_settings)]
Now = Annotated[datetime, Depends(now)]


@router.get("/lending/availability", response_model=LendingAvailability)
async def lending_availability(
    uow: UnitOfWorkDep,
    centre_id: uuid.UUID,
    pickup_date: Day,
    return_date: Day,
    item_type_id: uuid.UUID | None = None,
) -> LendingAvailability:
    """Free units per item type of a centre for a pickup and return date (public)."""
    return await service.availability(
        uow.session, centre_id, pickup_date, return_date, item_type_id
    )


@router.post("/loans", status_code=status.HTTP_201_CREATED, response_model=LoanPublic)
async def reserve_loan(
    body: LoanCreate, uow: UnitOfWorkDep, resident: Resident, settings: Settings, at: Now
) -> LoanPublic:
    """Reserve every line (item type, quantity) for the dates, or nothing (409 when short)."""
    details = await service.reserve(uow, resident.sub, body, settings, at)
    return details.public()


@router.get("/loans", response_model=list[LoanPublic])
async def list_loans(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    loan_status: Annotated[LoanStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[LoanPublic]:
    """Own loans for residents, the centre's loans for its staff, all loans for admins."""
    found = await service.list_loans(uow.session, principal, loan_status, limit, offset)
    return [details.public() for details in found]


@router.get("/loans/{loan_id}", response_model=LoanPublic)
async def get_loan(
    loan_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> LoanPublic:
    return (await service.get_loan(uow.session, principal, loan_id)).public()


@router.post("/loans/{loan_id}/pickup", response_model=LoanPublic)
async def pick_up_loan(
    loan_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    at: Now,
    body: LoanPickup | None = None,
) -> LoanPublic:
    """Centre staff hand the units out, optionally swapping units of the same type."""
    details = await service.pick_up(uow, principal, loan_id, body or LoanPickup(), at)
    return details.public()


@router.post("/loans/{loan_id}/return", response_model=LoanPublic)
async def return_loan(
    loan_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    at: Now,
    body: LoanReturn | None = None,
) -> LoanPublic:
    """Centre staff take the units back and record damage."""
    details = await service.return_loan(uow, principal, loan_id, body or LoanReturn(), at)
    return details.public()


@router.post("/loans/{loan_id}/cancel", response_model=LoanPublic)
async def cancel_loan(
    loan_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, at: Now
) -> LoanPublic:
    """The resident cancels an own reserved loan, or centre staff cancel one of the centre."""
    return (await service.cancel_loan(uow, principal, loan_id, at)).public()
