"""Giving time back: one date or the rest of a series, and the offers of given-back time."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from booking.dependencies import NowDep, RedisDep, SettingsDep
from booking.giving_back import use_cases
from booking.giving_back.schemas import GiveBackRest, GivenBackOfferPublic, GivenBackPublic
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["giving time back"])


@router.post("/bookings/{booking_id}/give-back")
async def give_back_date(
    booking_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    redis: RedisDep,
    now: NowDep,
) -> GivenBackPublic:
    """Give one booked date back (the club's booker): it is cancelled and offered to the
    first fitting waiting club; 409 when it has started or is not a club's booking."""
    holds = use_cases.holds_of(redis, settings)
    return await use_cases.give_back_date(uow, holds, principal, booking_id, now)


@router.post("/booking-series/{series_id}/give-back")
async def give_back_rest(
    series_id: uuid.UUID,
    body: GiveBackRest,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    redis: RedisDep,
    now: NowDep,
) -> GivenBackPublic:
    """Give back the series from `from_date` on; offered weekly to the first fitting club."""
    holds = use_cases.holds_of(redis, settings)
    return await use_cases.give_back_rest(uow, holds, principal, series_id, body.from_date, now)


@router.get("/organisations/{organisation_id}/given-back-offers")
async def organisation_offers(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[GivenBackOfferPublic]:
    """Given-back time offered to the club, newest first (members)."""
    return await use_cases.organisation_offers(uow.session, principal, organisation_id)
