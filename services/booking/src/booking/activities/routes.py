"""`/booking-series/{id}/public-activity`: publish a club's series in the public activity
guide, read what it shows, or make it private again."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from booking.activities import queries, use_cases
from booking.activities.schemas import PublicActivityBody, PublicActivityPublic, activity_public
from booking.dependencies import NowDep
from booking.series.queries import series_for
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/booking-series/{series_id}/public-activity", tags=["activities"])


@router.get("")
async def get_public_activity(
    series_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> PublicActivityPublic:
    """What the guide shows about the series; 404 when it is private."""
    series = await series_for(uow.session, principal, series_id)
    row = await queries.public_activity(uow.session, series.id)
    if row is None:
        raise queries.not_public(series_id)
    return activity_public(row)


@router.put("")
async def publish_activity(
    series_id: uuid.UUID,
    body: PublicActivityBody,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> PublicActivityPublic:
    """The club's administrators and bookers publish the series (or change its texts). Only
    organisation-level facts: `how_to_join` is a web address or the club's own email or
    phone; a member's personal email or name is refused (422)."""
    row = await use_cases.publish(uow, principal, series_id, body, now)
    return activity_public(row)


@router.delete("", status_code=204)
async def make_private(
    series_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> Response:
    """The series leaves the guide (204 also when it was private already)."""
    await use_cases.withdraw(uow, principal, series_id)
    return Response(status_code=204)
