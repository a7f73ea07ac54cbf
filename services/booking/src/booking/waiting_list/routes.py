"""The waiting list: a club's offers and its answers, and the admin's view of a round's list."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from booking.dependencies import NowDep, RedisDep, SettingsDep
from booking.giving_back import queries as giving_back_queries
from booking.giving_back import use_cases as giving_back
from booking.giving_back.schemas import GivenBackOfferPublic
from booking.waiting_list import use_cases
from booking.waiting_list.schemas import (
    DirectEntryCreate,
    DirectEntryPublic,
    WaitingListPublic,
    WaitingOfferPublic,
)
from samspill.auth import CurrentPrincipal, Principal, Role, require_roles
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["waiting list"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


@router.get("/organisations/{organisation_id}/waiting-offers")
async def organisation_offers(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[WaitingOfferPublic]:
    """Freed weekly time offered to the club's waiting sections, newest first (members)."""
    return await use_cases.organisation_offers(uow.session, principal, organisation_id)


@router.get("/rounds/{round_id}/waiting-list")
async def round_waiting_list(
    round_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin
) -> WaitingListPublic:
    """The round's waiting list in order, with the offers made from it."""
    return await use_cases.round_waiting_list(uow.session, round_id)


@router.post("/waiting-offers/{offer_id}/accept")
async def accept_offer(
    offer_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    redis: RedisDep,
    now: NowDep,
) -> WaitingOfferPublic | GivenBackOfferPublic:
    """Book the offered time (a booker of the club): a round's offer weekly to the season's
    end; time given back while the club holds it. 409 when the offer is no longer open (for
    given-back time: the hold has lapsed or it was accepted) or the time has been taken."""
    if await giving_back_queries.is_given_back_offer(uow.session, offer_id):
        holds = giving_back.holds_of(redis, settings)
        return await giving_back.accept(uow, holds, principal, offer_id, now)
    return await use_cases.accept(uow, principal, offer_id, now)


@router.post("/waiting-offers/{offer_id}/decline")
async def decline_offer(
    offer_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep
) -> WaitingOfferPublic:
    """Say no: the next fitting waiting section is offered the time."""
    return await use_cases.decline(uow, principal, offer_id, now)


@router.post("/waiting-list", status_code=201)
async def join_waiting_list(
    body: DirectEntryCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep
) -> DirectEntryPublic:
    """The club waits for a weekly time in one hall (a booker of it); time given back that
    fits is offered to it after the season rounds' waiting sections."""
    return await use_cases.join_direct(uow, principal, body, now)


@router.get("/organisations/{organisation_id}/waiting-list")
async def organisation_waiting_list(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[DirectEntryPublic]:
    """The club's places on the direct waiting list (members)."""
    return await use_cases.direct_entries(uow.session, principal, organisation_id)


@router.delete("/waiting-list/{entry_id}", status_code=204)
async def leave_waiting_list(
    entry_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> None:
    """The club leaves the waiting list (a booker of it)."""
    await use_cases.leave_direct(uow, principal, entry_id)
