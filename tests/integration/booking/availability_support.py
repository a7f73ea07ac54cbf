"""The availability answer computed for the whole period at once, straight from the read model,
the way `/availability` computed it before it kept days in Redis: what the kept days must
give, byte for byte."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.availability.queries import AvailabilityQuery, _matches, period_of
from booking.bookings.queries import busy_in
from booking.bookings.states import local_text
from booking.catalogue import queries as catalogue
from booking.domain import BusyInterval, ClosureView, free_slots
from booking.domain.views import closures_of, window_occurrences
from booking.rounds.queries import reserved_evenings
from samspill.intervals import Interval, intersect, merge
from samspill.jsonbody import json_bytes


async def whole_period_answer(
    engine: AsyncEngine, query: AvailabilityQuery, now: datetime, max_days: int = 62
) -> bytes:
    async with AsyncSession(engine) as session:
        period = period_of(query, max_days)
        sites = await catalogue.all_sites(session)
        every_space = await catalogue.all_spaces(session)
        spaces = [
            space
            for space in every_space
            if space.site_id in sites and _matches(query, space, sites[space.site_id])
        ]
        if not spaces:
            return b"[]"
        ids = [space.space_id for space in spaces]
        related = {other for space in spaces for other in catalogue.conflict_ids(space)}
        windows = await catalogue.windows_of(session, ids)
        closures = await catalogue.closures_of(session, {s.site_id for s in spaces}, period)
        site_of = {str(space.space_id): str(space.site_id) for space in every_space}
        closures += [
            ClosureView(evening, round_.name, space_id, site_of.get(space_id, ""))
            for round_, space_id, evening in await reserved_evenings(session, related, period)
        ]
        busy: dict[str, list[BusyInterval]] = defaultdict(list)
        for item in await busy_in(session, related, period.padded(timedelta(days=1))):
            busy[item.space_id].append(item)
    answer = []
    for space in sorted(spaces, key=lambda s: (sites[s.site_id].name, s.name)):
        view = catalogue.space_view(space)
        own_windows = [w for w in windows if w.space_id == view.space_id]
        own_busy = [item for other in view.conflict_set for item in busy.get(other, ())]
        slots = free_slots(
            view, period, own_windows, closures, own_busy, query.min_minutes, now=now
        )
        released = intersect(window_occurrences(view, own_windows, period), [period])
        closed = intersect(merge(c.interval for c in closures_of(view, closures)), [period])
        site = sites[space.site_id]
        answer.append(
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
                "slots": _spans(slots),
                "released": _spans(released),
                "closed": _spans(closed),
            }
        )
    return json_bytes(answer)


def _spans(intervals: list[Interval]) -> list[dict[str, Any]]:
    return [
        {
            "start": span.start,
            "end": span.end,
            "local_start": local_text(span.start),
            "local_end": local_text(span.end),
        }
        for span in intervals
    ]
