"""HTTP routes of equipment lending (thin: parse, call the use case, answer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from booking.dependencies import NowDep, SettingsDep
from booking.domain import LoanStatus
from booking.lending import queries, use_cases
from booking.lending.schemas import (
    ItemTypeAvailability,
    LendingAvailability,
    LoanCreate,
    LoanPickup,
    LoanPublic,
    LoanReturn,
    loan_public,
)
from booking.personal_data.use_cases import record_loan_views
from samspill.auth import CurrentPrincipal, CurrentResident
from samspill.db import UnitOfWorkDep
from samspill.inputs import Day

router = APIRouter(tags=["lending"])

EQUIPMENT_DESK = "equipment desk"
ViewReason = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=500,
        description="Why staff look at other people's loans, for the access log (default: "
        "the equipment desk).",
    ),
]


@router.get("/lending/availability", response_model=LendingAvailability)
async def lending_availability(
    uow: UnitOfWorkDep,
    centre_id: uuid.UUID,
    pickup_date: Day,
    return_date: Day,
    item_type_id: uuid.UUID | None = None,
) -> LendingAvailability:
    """Free units per item type of a centre for a pickup and return date (public)."""
    found = await queries.availability(
        uow.session, centre_id, pickup_date, return_date, item_type_id
    )
    return LendingAvailability(
        centre_id=centre_id,
        pickup_date=pickup_date,
        return_date=return_date,
        item_types=[
            ItemTypeAvailability(
                item_type_id=t.item_type.item_type_id,
                name=t.item_type.name,
                category=t.item_type.category,
                variant=t.item_type.variant,
                age_min=t.item_type.age_min,
                age_max=t.item_type.age_max,
                max_loan_days=t.item_type.max_loan_days,
                units_in_stock=t.units_in_stock,
                units_free=t.units_free,
            )
            for t in found
        ],
    )


@router.post("/loans", status_code=status.HTTP_201_CREATED, response_model=LoanPublic)
async def reserve_loan(
    body: LoanCreate,
    uow: UnitOfWorkDep,
    resident: CurrentResident,
    settings: SettingsDep,
    at: NowDep,
) -> LoanPublic:
    """Reserve every line (item type, quantity) for the dates, or nothing (409 when short)."""
    return loan_public(await use_cases.reserve(uow, resident.person_id, body, settings, at))


@router.get("/loans", response_model=list[LoanPublic])
async def list_loans(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    at: NowDep,
    loan_status: Annotated[LoanStatus | None, Query(alias="status")] = None,
    centre_id: uuid.UUID | None = None,
    pickup_from: Annotated[Day | None, Query(description="Pickup on or after.")] = None,
    pickup_to: Annotated[Day | None, Query(description="Pickup on or before.")] = None,
    return_from: Annotated[Day | None, Query(description="Return on or after.")] = None,
    return_to: Annotated[Day | None, Query(description="Return on or before.")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=100,
            description="The borrower's name (or part of it) or the loan number (the loan id "
            "or its beginning), ignoring case.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    reason: ViewReason = None,
) -> list[LoanPublic]:
    """Own loans for residents, the centre's loans for its staff, all loans for admins;
    narrowed by the filters given (all must hold). Staff's view of other people's loans is
    recorded in the access log."""
    narrowed = queries.LoanFilter(
        status=loan_status.value if loan_status else None,
        centre_id=centre_id,
        pickup_from=pickup_from,
        pickup_to=pickup_to,
        return_from=return_from,
        return_to=return_to,
        search=q.strip() if q and q.strip() else None,
    )
    found = await queries.list_loans(uow.session, principal, narrowed, limit, offset)
    loans = [details.loan for details in found]
    await record_loan_views(uow, principal, loans, reason or EQUIPMENT_DESK, at)
    return [loan_public(details) for details in found]


@router.get("/loans/{loan_id}", response_model=LoanPublic)
async def get_loan(
    loan_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    at: NowDep,
    reason: ViewReason = None,
) -> LoanPublic:
    """The loan, for its borrower, the centre's staff and admins (staff's view is logged)."""
    details = await queries.get_loan(uow.session, principal, loan_id)
    await record_loan_views(uow, principal, [details.loan], reason or EQUIPMENT_DESK, at)
    return loan_public(details)


@router.post("/loans/{loan_id}/pickup", response_model=LoanPublic)
async def pick_up_loan(
    loan_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    at: NowDep,
    body: LoanPickup | None = None,
) -> LoanPublic:
    """Centre staff hand the units out, optionally swapping units of the same type."""
    details = await use_cases.pick_up(uow, principal, loan_id, body or LoanPickup(), at)
    return loan_public(details)


@router.post("/loans/{loan_id}/return", response_model=LoanPublic)
async def return_loan(
    loan_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    at: NowDep,
    body: LoanReturn | None = None,
) -> LoanPublic:
    """Centre staff take the units back and record damage."""
    details = await use_cases.return_loan(uow, principal, loan_id, body or LoanReturn(), at)
    return loan_public(details)


@router.post("/loans/{loan_id}/cancel", response_model=LoanPublic)
async def cancel_loan(
    loan_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, at: NowDep
) -> LoanPublic:
    """The resident cancels an own reserved loan, or centre staff cancel one of the centre."""
    return loan_public(await use_cases.cancel_loan(uow, principal, loan_id, at))
