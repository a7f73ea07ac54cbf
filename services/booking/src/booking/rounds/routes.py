"""`/rounds`: seasonal application rounds. Staff (the municipal admin) create, change and
close them; anyone may read them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from booking.dependencies import NowDep
from booking.rounds import queries, use_cases
from booking.rounds.schemas import (
    RoundChange,
    RoundCreate,
    RoundPublic,
    round_public,
    space_public,
)
from booking.rounds.tables import ApplicationRound
from samspill.auth import Principal, Role, require_roles
from samspill.db import UnitOfWorkDep
from samspill.events.booking import RoundStateName

router = APIRouter(prefix="/rounds", tags=["application rounds"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


async def answer(
    session: AsyncSession, round_: ApplicationRound, space_ids: list[uuid.UUID]
) -> RoundPublic:
    spaces = await queries.spaces_with_sites(session, space_ids)
    counts = await queries.application_counts(session, [round_.id])
    return round_public(round_, [space_public(*s) for s in spaces], counts[round_.id])


@router.post("", status_code=201)
async def create_round(
    body: RoundCreate, uow: UnitOfWorkDep, principal: Admin, now: NowDep
) -> RoundPublic:
    """A round over a set of spaces; its state follows today (Oslo) and its dates."""
    created = await use_cases.create_round(uow, principal, body, now)
    return await answer(uow.session, created.round, created.space_ids)


@router.get("")
async def list_rounds(
    uow: UnitOfWorkDep, state: Annotated[RoundStateName | None, Query()] = None
) -> list[RoundPublic]:
    rounds = await queries.list_rounds(uow.session, state)
    spaces = await queries.space_ids_of(uow.session, [r.id for r in rounds])
    return [await answer(uow.session, r, spaces[r.id]) for r in rounds]


@router.get("/{round_id}")
async def get_round(round_id: uuid.UUID, uow: UnitOfWorkDep) -> RoundPublic:
    round_ = await queries.get_round(uow.session, round_id)
    spaces = await queries.space_ids_of(uow.session, [round_id])
    return await answer(uow.session, round_, spaces[round_id])


@router.patch("/{round_id}")
async def change_round(
    round_id: uuid.UUID, body: RoundChange, uow: UnitOfWorkDep, _: Admin, now: NowDep
) -> RoundPublic:
    """Only while the round is upcoming or open (409 otherwise); the same rules as creating."""
    changed = await use_cases.change_round(uow, round_id, body, now)
    return await answer(uow.session, changed.round, changed.space_ids)


@router.post("/{round_id}/close")
async def close_round(
    round_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin, now: NowDep
) -> RoundPublic:
    """End the application period now: the round goes to allocation."""
    closed = await use_cases.close_round(uow, round_id, now)
    return await answer(uow.session, closed.round, closed.space_ids)
