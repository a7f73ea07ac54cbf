"""`/booking-series`: weekly series for a season; cancel one occurrence or the rest."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from booking.bookings.routes import answer
from booking.bookings.schemas import BookingPublic
from booking.dependencies import NowDep, SettingsDep
from booking.series import queries, use_cases
from booking.series.schemas import (
    SeriesCancel,
    SeriesCancelled,
    SeriesCreate,
    SeriesPreview,
    SeriesPublic,
    SkippedPublic,
    series_public,
)
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/booking-series", tags=["booking series"])


@router.post("", status_code=201)
async def create_series(
    body: SeriesCreate,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    now: NowDep,
) -> SeriesPublic:
    """Books every date that fits; `skipped` lists the others with the reason."""
    return await use_cases.create_series(uow, principal, body, settings, now)


@router.post("/preview")
async def preview_series(
    body: SeriesCreate,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    now: NowDep,
) -> SeriesPreview:
    """A dry run of `POST /booking-series`: the dates it would book (with status and price)
    and those it would skip with why, by the same rules; nothing is stored or published."""
    return await use_cases.preview_series(uow, principal, body, settings, now)


@router.get("/{series_id}")
async def get_series(
    series_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SeriesPublic:
    series = await queries.series_for(uow.session, principal, series_id)
    created = [await answer(uow.session, b) for b in await queries.occurrences(uow.session, series)]
    skipped = [SkippedPublic.model_validate(s) for s in series.skipped]
    return series_public(series, created, skipped)


@router.post("/{series_id}/cancel")
async def cancel_rest_of_series(
    series_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    body: SeriesCancel | None = None,
) -> SeriesCancelled:
    from_date = body.from_date if body else None
    return await use_cases.cancel_rest(uow, principal, series_id, from_date, now)


@router.post("/{series_id}/occurrences/{booking_id}/cancel")
async def cancel_occurrence(
    series_id: uuid.UUID,
    booking_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> BookingPublic:
    return await use_cases.cancel_occurrence(uow, principal, series_id, booking_id, now)
