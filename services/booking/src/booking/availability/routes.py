"""`/availability`: public free slots per space (no personal data)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from booking.availability.queries import AvailabilityQuery, SpaceSlots, availability
from booking.availability.schemas import SpaceAvailability
from booking.bookings.states import local_text
from booking.dependencies import NowDep, SettingsDep
from samspill.db import UnitOfWorkDep
from samspill.inputs import Instant
from samspill.intervals import Interval
from samspill.jsonbody import json_response

router = APIRouter(prefix="/availability", tags=["availability"])


@router.get("", response_model=list[SpaceAvailability])
async def get_availability(
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    now: NowDep,
    start: Annotated[Instant, Query(alias="from")],
    end: Annotated[Instant, Query(alias="to")],
    space_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    site_kind: Annotated[str | None, Query(max_length=50)] = None,
    min_capacity: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    feature: Annotated[list[str] | None, Query(max_length=20)] = None,
    activity: Annotated[list[str] | None, Query(max_length=20)] = None,
    accessibility: Annotated[list[str] | None, Query(max_length=10)] = None,
    min_minutes: Annotated[int, Query(ge=0, le=24 * 60)] = 0,
) -> Response:
    """Free slots = release windows − closures − active bookings (parts and buffers too);
    with each space also when its windows are open (`released`) and closed (`closed`).

    `accessibility` takes step_free_entrance, accessible_toilet, parking, hearing_loop or
    transit_stop; `feature` and `activity` may repeat and must all match.
    """
    query = AvailabilityQuery(
        start=start,
        end=end,
        space_id=space_id,
        site_id=site_id,
        district=district,
        site_kind=site_kind,
        min_capacity=min_capacity,
        features=frozenset(feature or ()),
        activities=frozenset(activity or ()),
        accessibility=frozenset(accessibility or ()),
        min_minutes=min_minutes,
    )
    found = await availability(uow.session, query, now, settings.availability_max_days)
    # A search over every space holds thousands of slots: written as plain data in the shape
    # of `SpaceAvailability` instead of one validated model per slot.
    return json_response([_public(item) for item in found])


def _public(item: SpaceSlots) -> dict[str, object]:
    space, site = item.space, item.site
    return {
        "space_id": space.space_id,
        "space_name": space.name,
        "space_kind": space.kind,
        "capacity": space.capacity,
        "features": list(space.features),
        "site_id": site.site_id,
        "site_name": site.name,
        "site_kind": site.kind,
        "district": site.district,
        "who_may_book": space.rules.who_may_book,
        "approval_required": space.rules.approval_required,
        "slots": _spans(item.slots),
        "released": _spans(item.released),
        "closed": _spans(item.closed),
    }


def _spans(intervals: list[Interval]) -> list[dict[str, object]]:
    return [
        {
            "start": span.start,
            "end": span.end,
            "local_start": local_text(span.start),
            "local_end": local_text(span.end),
        }
        for span in intervals
    ]
