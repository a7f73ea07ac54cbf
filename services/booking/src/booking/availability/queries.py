"""Free slots per space over a period: release windows − closures − active bookings, where
the season evenings an application round keeps from direct booking count as closed.

Answered from the local read model only, so it keeps working while facilities is down.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.queries import busy_in
from booking.catalogue import queries as catalogue
from booking.domain import BusyInterval, ClosureView, WindowView, free_slots
from booking.domain.views import closures_of, window_occurrences
from booking.rounds.queries import reserved_evenings
from samspill.errors import RuleViolation
from samspill.events import facilities as fe
from samspill.intervals import Interval, intersect, merge

ACCESSIBILITY_FACTS = ("step_free_entrance", "accessible_toilet", "parking", "hearing_loop")


@dataclass(frozen=True)
class SpaceSlots:
    """The free slots of one space, with the space and its site as the read model knows them;
    `released` (its windows) and `closed` (closures that apply to it) within the period let a
    calendar tell booked time from time that is closed or never released."""

    space: fe.SpaceState
    site: fe.SiteState
    slots: list[Interval]
    released: list[Interval] = field(default_factory=list)
    closed: list[Interval] = field(default_factory=list)


@dataclass(frozen=True)
class AvailabilityQuery:
    start: datetime
    end: datetime
    space_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    district: str | None = None
    site_kind: str | None = None
    min_capacity: int | None = None
    features: frozenset[str] = frozenset()
    accessibility: frozenset[str] = frozenset()
    min_minutes: int = 0
    activities: frozenset[str] = field(default_factory=frozenset)


def period_of(query: AvailabilityQuery, max_days: int) -> Interval:
    if query.start.tzinfo is None or query.end.tzinfo is None:
        raise RuleViolation(
            "`from` and `to` must include a time zone.", "`from` og `to` må ha tidssone."
        )
    if query.end <= query.start:
        raise RuleViolation("`to` must be after `from`.", "`to` må være etter `from`.")
    if query.end - query.start > timedelta(days=max_days):
        raise RuleViolation(
            f"Ask for at most {max_days} days at a time.",
            f"Spør etter høyst {max_days} dager om gangen.",
        )
    unknown = query.accessibility - {*ACCESSIBILITY_FACTS, "transit_stop"}
    if unknown:
        raise RuleViolation(
            f"Unknown accessibility facts: {', '.join(sorted(unknown))}.",
            f"Ukjente tilgjengelighetsopplysninger: {', '.join(sorted(unknown))}.",
        )
    return Interval(query.start, query.end)


async def availability(
    session: AsyncSession, query: AvailabilityQuery, now: datetime, max_days: int
) -> list[SpaceSlots]:
    period = period_of(query, max_days)
    sites = await catalogue.all_sites(session)
    every_space = await catalogue.all_spaces(session)
    spaces = [
        space
        for space in every_space
        if space.site_id in sites and _matches(query, space, sites[space.site_id])
    ]
    if not spaces:
        return []
    ids = [space.space_id for space in spaces]
    related = {other for space in spaces for other in catalogue.conflict_ids(space)}
    windows = await catalogue.windows_of(session, ids)
    closures = await catalogue.closures_of(session, {s.site_id for s in spaces}, period)
    closures += await _reserved_by_rounds(session, related, period, every_space)
    busy = _by_space(await busy_in(session, related, period.padded(timedelta(days=1))))
    # Every space of the municipality over up to `max_days`: computed off the event loop.
    return await asyncio.to_thread(
        _free_slots_per_space, spaces, sites, windows, closures, busy, period, query, now
    )


async def _reserved_by_rounds(
    session: AsyncSession,
    space_ids: set[uuid.UUID],
    period: Interval,
    every_space: list[fe.SpaceState],
) -> list[ClosureView]:
    """A reserving round's season evenings, as closures of its spaces (and so of the spaces
    that cannot be used with them, as a closure is)."""
    site_of = {str(space.space_id): str(space.site_id) for space in every_space}
    return [
        ClosureView(
            evening,
            f"Application round {round_.name} / Søknadsrunde {round_.name}",
            space_id,
            site_of.get(space_id, ""),
        )
        for round_, space_id, evening in await reserved_evenings(session, space_ids, period)
    ]


def _free_slots_per_space(
    spaces: list[fe.SpaceState],
    sites: Mapping[uuid.UUID, fe.SiteState],
    windows: list[WindowView],
    closures: list[ClosureView],
    busy: Mapping[str, list[BusyInterval]],
    period: Interval,
    query: AvailabilityQuery,
    now: datetime,
) -> list[SpaceSlots]:
    answer = []
    windows_by_space: dict[str, list[WindowView]] = defaultdict(list)
    for window in windows:
        windows_by_space[window.space_id].append(window)
    for space in sorted(spaces, key=lambda s: (sites[s.site_id].name, s.name)):
        view = catalogue.space_view(space)
        # Only the space's own windows and conflict set: handing every space all windows and
        # bookings is quadratic.
        own_windows = windows_by_space.get(view.space_id, [])
        own_busy = [item for other in view.conflict_set for item in busy.get(other, ())]
        slots = free_slots(
            view, period, own_windows, closures, own_busy, query.min_minutes, now=now
        )
        released = intersect(window_occurrences(view, own_windows, period), [period])
        closed = intersect(merge(c.interval for c in closures_of(view, closures)), [period])
        answer.append(SpaceSlots(space, sites[space.site_id], slots, released, closed))
    return answer


def _by_space(busy: list[BusyInterval]) -> dict[str, list[BusyInterval]]:
    grouped: dict[str, list[BusyInterval]] = defaultdict(list)
    for item in busy:
        grouped[item.space_id].append(item)
    return grouped


def _matches(query: AvailabilityQuery, space: fe.SpaceState, site: fe.SiteState) -> bool:
    checks = (
        not space.retired,
        query.space_id is None or space.space_id == query.space_id,
        query.site_id is None or space.site_id == query.site_id,
        query.district is None or site.district.casefold() == query.district.casefold(),
        query.site_kind is None or site.kind == query.site_kind,
        query.min_capacity is None or space.capacity >= query.min_capacity,
        query.features <= set(space.features),
        query.activities <= set(space.activities),
        all(_has_fact(site.accessibility, fact) for fact in query.accessibility),
    )
    return all(checks)


def _has_fact(accessibility: fe.Accessibility, fact: str) -> bool:
    if fact == "transit_stop":
        return accessibility.transit_stop is not None
    return bool(getattr(accessibility, fact))
