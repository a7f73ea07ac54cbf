"""`/rounds/{id}/allocation` and `/rounds/{id}/publish`: the municipal admin runs, inspects and
adjusts a round's allocation, accepts it and publishes the result."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from booking.allocation import queries, use_cases
from booking.allocation.schemas import (
    AllocationPublic,
    AllocationRunRequest,
    ForcedTime,
    PublishedPublic,
)
from booking.dependencies import NowDep
from samspill.auth import Principal, Role, require_roles
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/rounds/{round_id}", tags=["allocation"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


@router.post("/allocation/run")
async def run_allocation(
    round_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: Admin,
    now: NowDep,
    body: AllocationRunRequest | None = None,
) -> AllocationPublic:
    """Solve the round (CP-SAT, or the greedy baseline) around the locked and forced times;
    the proposal replaces the last. 409 unless the round is in allocation."""
    return await use_cases.run_allocation(
        uow, principal, round_id, body or AllocationRunRequest(), now
    )


@router.get("/allocation")
async def get_allocation(round_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin) -> AllocationPublic:
    rnd = await queries.load_round(uow.session, round_id)
    return use_cases.present(await queries.allocation_view(uow.session, rnd))


@router.post("/allocation/times/{time_id}/lock")
async def lock_time(
    round_id: uuid.UUID, time_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin
) -> AllocationPublic:
    """Keep the time through re-runs."""
    return await use_cases.pin(uow, round_id, time_id, locked=True)


@router.post("/allocation/times/{time_id}/unlock")
async def unlock_time(
    round_id: uuid.UUID, time_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin
) -> AllocationPublic:
    return await use_cases.pin(uow, round_id, time_id, locked=False)


@router.delete("/allocation/times/{time_id}")
async def remove_time(
    round_id: uuid.UUID, time_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin
) -> AllocationPublic:
    return await use_cases.remove_time(uow, round_id, time_id)


@router.post("/allocation/times", status_code=201)
async def force_time(
    round_id: uuid.UUID, body: ForcedTime, uow: UnitOfWorkDep, _: Admin, now: NowDep
) -> AllocationPublic:
    """Place a time by hand (kept through re-runs): 422 when it breaks a hard rule, 409 when
    the hall, a part of it or the whole hall is already allocated then."""
    return await use_cases.force_time(uow, round_id, body, now)


@router.post("/allocation/accept")
async def accept_allocation(
    round_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin, now: NowDep
) -> AllocationPublic:
    """In allocation with a run → handled."""
    return await use_cases.accept(uow, round_id, now)


@router.post("/allocation/reopen")
async def reopen_allocation(
    round_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin, now: NowDep
) -> AllocationPublic:
    """Handled → in allocation again."""
    return await use_cases.reopen(uow, round_id, now)


@router.post("/publish")
async def publish(
    round_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin, now: NowDep
) -> PublishedPublic:
    """Every allocated time becomes a confirmed weekly series for the season, the sections not
    fully granted go on the waiting list, every applicant is told; the round's results are
    sent. 409 unless handled, and when the results are already sent."""
    return await use_cases.publish(uow, round_id, now)
