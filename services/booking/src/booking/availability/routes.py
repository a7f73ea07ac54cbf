"""`/availability`: public free slots per space (no personal data)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from booking.availability.queries import (
    AvailabilityQuery,
    DayCache,
    SpaceTime,
    Span,
    availability,
    instant,
)
from booking.availability.schemas import SpaceAvailability
from booking.bookings.states import local_text
from booking.dependencies import NowDep, RedisDep, SettingsDep
from samspill.db import UnitOfWorkDep
from samspill.inputs import Instant
from samspill.jsonbody import json_bytes

router = APIRouter(prefix="/availability", tags=["availability"])


@router.get("", response_model=list[SpaceAvailability])
async def get_availability(
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    redis: RedisDep,
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
    cache = DayCache(redis, settings.availability_cache_ttl_s)
    found = await availability(uow.session, cache, query, now, settings.availability_max_days)
    # A search over every space holds thousands of slots: written in the shape of
    # `SpaceAvailability` from plain data, each span's JSON made once and reused.
    return Response(_body(found), media_type="application/json")


# A kept answer (the same list again) is written once: its JSON is kept beside it.
_BODIES: dict[int, tuple[list[SpaceTime], bytes]] = {}
_BODIES_KEPT = 32


def _body(found: list[SpaceTime]) -> bytes:
    kept = _BODIES.get(id(found))
    if kept is not None and kept[0] is found:
        return kept[1]
    body = b"[" + b",".join(_public(item) for item in found) + b"]"
    if len(_BODIES) >= _BODIES_KEPT:
        _BODIES.clear()
    _BODIES[id(found)] = (found, body)
    return body


def _public(item: SpaceTime) -> bytes:
    space, site = item.space, item.site
    head = json_bytes(
        {
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
        }
    )
    return b"".join(
        (
            head[:-1],
            b',"slots":[',
            b",".join(map(_span, item.slots)),
            b'],"released":[',
            b",".join(map(_span, item.released)),
            b'],"closed":[',
            b",".join(map(_span, item.closed)),
            b"]}",
        )
    )


# The same spans come back in answer after answer (every evening 17–22, the hours around the
# bookings): each span's JSON is made once.
_SPANS: dict[Span, bytes] = {}
_SPANS_KEPT = 100_000


def _span(span: Span) -> bytes:
    found = _SPANS.get(span)
    if found is None:
        if len(_SPANS) >= _SPANS_KEPT:
            _SPANS.clear()
        start, end = instant(span[0]), instant(span[1])
        found = _SPANS[span] = json_bytes(
            {
                "start": start,
                "end": end,
                "local_start": local_text(start),
                "local_end": local_text(end),
            }
        )
    return found
