"""Free slots per space over a period: release windows − closures − active bookings, where
the season evenings an application round keeps from direct booking count as closed.

Answered from the local read model only, so it keeps working while facilities is down.

A space's time is worked out one local day at a time (`samspill.availability.DayTime`: when
it is released, open and closed that day) and each day is kept in Redis under the versions of
what it was computed from (`availability_version`: the space's, those of the spaces it cannot
be used with, its site's). A query reads the versions, fetches every (space, day) it needs
with one MGET, computes the days missing in one statement over the database, stores them, and
joins the days over the period. What depends on the clock (the time already passed, the
booking horizon) and on the query (the period's ends, the minimum length) is applied only
then, so a kept day never holds a stale "now". Redis away: every day is computed. The last
answers the clock cannot change are also kept in the process, under the keys of their days.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from redis.asyncio import Redis
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Date, DateTime, String, Uuid

from booking.bookings.queries import ACTIVE_STATUSES
from booking.catalogue import queries as catalogue
from booking.domain import BusyInterval, ClosureView, SpaceView, WindowView, days_time
from booking.domain.rounds import RESERVING_STATES
from booking.rounds.queries import round_view
from booking.rounds.tables import ApplicationRound
from samspill.availability import (
    DayTime,
    bookable_period,
    join_days,
    local_day,
    shortest_slot,
    slots_in,
)
from samspill.errors import RuleViolation
from samspill.events import facilities as fe
from samspill.intervals import Interval
from samspill.recurrence import OSLO, local_date, local_dates
from samspill.rediscache import CacheGuard
from samspill.timegrid import round_inward

ACCESSIBILITY_FACTS = ("step_free_entrance", "accessible_toilet", "parking", "hearing_loop")
# The kept days' key and shape: a new prefix when either changes.
CACHE_PREFIX = "booking:availability:v1"

Span = tuple[int, int]  # [start, end) in microseconds since the epoch, UTC
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def microseconds(instant: datetime) -> int:
    return (instant - EPOCH) // MICROSECOND


def instant(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


@dataclass(frozen=True)
class SpaceTime:
    """The free slots of one space, with the space and its site as the read model knows them;
    `released` (its windows) and `closed` (closures that apply to it) within the period let a
    calendar tell booked time from time that is closed or never released."""

    space: fe.SpaceState
    site: fe.SiteState
    slots: list[Span]
    released: list[Span] = field(default_factory=list)
    closed: list[Span] = field(default_factory=list)


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


# --- the kept days ---------------------------------------------------------------------------


class DayCache:
    """Days of free time in Redis, each under its versions' key until it expires. Redis being
    away costs only their computation from the database, never a failed request."""

    def __init__(self, redis: Redis, ttl_s: int) -> None:
        self._guard = CacheGuard(redis, "availability")
        self._ttl_s = ttl_s

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys or self._guard.skipped():
            return [None] * len(keys)
        try:
            found = await self._guard.redis.mget(keys)
        except Exception as exc:
            self._guard.failed(exc)
            return [None] * len(keys)
        return [value.encode() if isinstance(value, str) else value for value in found]

    async def put_many(self, entries: Mapping[str, bytes]) -> None:
        if not entries or self._guard.skipped():
            return
        try:
            async with self._guard.redis.pipeline(transaction=False) as pipe:
                for key, value in entries.items():
                    pipe.set(key, value, ex=self._ttl_s)
                await pipe.execute()
        except Exception as exc:
            self._guard.failed(exc)


# --- the query -------------------------------------------------------------------------------


async def availability(
    session: AsyncSession,
    cache: DayCache,
    query: AvailabilityQuery,
    now: datetime,
    max_days: int,
) -> list[SpaceTime]:
    period = period_of(query, max_days)
    known_catalogue = await _catalogue(session)
    days = local_dates(period)
    found = known_catalogue.found(query, tuple(days))
    spaces, keys, every_key = found.spaces, found.keys, found.every_key
    if not spaces:
        return []
    answer_key = _answer_key(query, period, now, every_key, found.views)
    if answer_key is not None and (known := _ANSWERS.get(answer_key)) is not None:
        return known
    views, sites = known_catalogue.views, known_catalogue.sites
    entries = dict(zip(every_key, await cache.get_many(every_key), strict=True))
    missing = [
        (space, day)
        for space in spaces
        for day, key in zip(days, keys[space.space_id], strict=True)
        if entries[key] is None
    ]
    if missing:
        computed = await _computed(session, missing)
        fresh = {
            keys[space.space_id][days.index(day)]: computed[space.space_id, day]
            for space, day in missing
        }
        await cache.put_many(fresh)
        entries.update(fresh)
    answer = [
        _space_time(
            space,
            views[space.space_id],
            sites[space.site_id],
            [orjson.loads(entries[key] or b"") for key in keys[space.space_id]],
            period,
            query.min_minutes,
            now,
        )
        for space in spaces
    ]
    if answer_key is not None:
        if len(_ANSWERS) >= _ANSWERS_KEPT:
            _ANSWERS.clear()
        _ANSWERS[answer_key] = answer
    return answer


# The answers to the searches asked most (the coming weeks of every hall), each kept while
# every day it is made of is current: the key names every day's key (so every version), the
# period and the minimum length. Only an answer the clock cannot change is kept: nothing of
# the period has passed and every space's horizon reaches past it.
_ANSWERS: dict[tuple[object, ...], list[SpaceTime]] = {}
_ANSWERS_KEPT = 32


def _answer_key(
    query: AvailabilityQuery,
    period: Interval,
    now: datetime,
    every_key: Sequence[str],
    views: Sequence[SpaceView],
) -> tuple[object, ...] | None:
    by_horizon = {view.rules.horizon_days: view.rules for view in views}
    if any(bookable_period(rules, period, now) != period for rules in by_horizon.values()):
        return None
    return (period.start, period.end, query.min_minutes, tuple(every_key))


_CATALOGUE = text(
    """
    SELECT 'site' AS kind, t.state::text AS state, v.version
    FROM read_site t
    LEFT JOIN availability_version v ON v.subject_id = t.site_id
    UNION ALL
    SELECT 'space', s.state::text, v.version
    FROM read_space s
    LEFT JOIN availability_version v ON v.subject_id = s.space_id
    """
)


@dataclass(frozen=True)
class _Found:
    """The spaces a search asks for, in the answer's order, with their days' keys."""

    spaces: list[fe.SpaceState]
    views: list[SpaceView]
    keys: dict[uuid.UUID, list[str]]
    every_key: list[str]


@dataclass
class _Catalogue:
    """Every site and space (with the space as the rules see it) and their versions; what
    searches found in it is kept with it (`found`)."""

    sites: dict[uuid.UUID, fe.SiteState] = field(default_factory=dict)
    spaces: list[fe.SpaceState] = field(default_factory=list)
    views: dict[uuid.UUID, SpaceView] = field(default_factory=dict)
    versions: dict[uuid.UUID, int] = field(default_factory=dict)
    _found: dict[tuple[object, ...], _Found] = field(default_factory=dict)

    def found(self, query: AvailabilityQuery, days: tuple[date, ...]) -> _Found:
        asked = (
            days,
            query.space_id,
            query.site_id,
            query.district,
            query.site_kind,
            query.min_capacity,
            query.features,
            query.accessibility,
            query.activities,
        )
        known = self._found.get(asked)
        if known is None:
            if len(self._found) >= _FOUND_KEPT:
                self._found.clear()
            known = self._found[asked] = self._search(query, days)
        return known

    def _search(self, query: AvailabilityQuery, days: Sequence[date]) -> _Found:
        sites = self.sites
        spaces = sorted(
            (
                space
                for space in self.spaces
                if space.site_id in sites and _matches(query, space, sites[space.site_id])
            ),
            key=lambda s: (sites[s.site_id].name, s.name),
        )
        day_texts = [day.isoformat() for day in days]
        keys = {space.space_id: _keys(space, day_texts, self.versions) for space in spaces}
        every_key = [key for space in spaces for key in keys[space.space_id]]
        return _Found(spaces, [self.views[s.space_id] for s in spaces], keys, every_key)


# The catalogue read by the last searches, under the rows it was read from: the same rows
# (nothing changed) are parsed, filtered and keyed once.
_CATALOGUES: dict[tuple[tuple[str, str, int | None], ...], _Catalogue] = {}
_CATALOGUES_KEPT = 4
_FOUND_KEPT = 64


async def _catalogue(session: AsyncSession) -> _Catalogue:
    """Every site and space and their versions, in one statement."""
    rows = tuple(
        (kind, state, version) for kind, state, version in (await session.execute(_CATALOGUE))
    )
    known = _CATALOGUES.get(rows)
    if known is not None:
        return known
    parsed = _Catalogue()
    for kind, state, version in rows:
        if kind == "site":
            site = _site(state)
            parsed.sites[site.site_id] = site
            parsed.versions[site.site_id] = version or 0
        else:
            space, view = _space(state)
            parsed.spaces.append(space)
            parsed.views[space.space_id] = view
            parsed.versions[space.space_id] = version or 0
    if len(_CATALOGUES) >= _CATALOGUES_KEPT:
        _CATALOGUES.clear()
    _CATALOGUES[rows] = parsed
    return parsed


# The same states come back search after search: each JSON text is validated once (frozen
# models, so sharing them is safe; a changed state is a new text).
_SITES: dict[str, fe.SiteState] = {}
_SPACES: dict[str, tuple[fe.SpaceState, SpaceView]] = {}
_STATES_KEPT = 10_000


def _site(text: str) -> fe.SiteState:
    found = _SITES.get(text)
    if found is None:
        if len(_SITES) >= _STATES_KEPT:
            _SITES.clear()
        found = _SITES[text] = fe.SiteState.model_validate_json(text)
    return found


def _space(text: str) -> tuple[fe.SpaceState, SpaceView]:
    found = _SPACES.get(text)
    if found is None:
        if len(_SPACES) >= _STATES_KEPT:
            _SPACES.clear()
        space = fe.SpaceState.model_validate_json(text)
        found = _SPACES[text] = (space, catalogue.space_view(space))
    return found


def _keys(
    space: fe.SpaceState, days: Sequence[str], versions: Mapping[uuid.UUID, int]
) -> list[str]:
    """Each day's key names the versions of everything its time is computed from: the space,
    the spaces it cannot be used with, its site."""
    stamp = ".".join(
        str(versions.get(subject, 0)) for subject in sorted(catalogue.conflict_ids(space))
    )
    prefix = f"{CACHE_PREFIX}:{space.space_id}:"
    suffix = f":{stamp}:{versions.get(space.site_id, 0)}"
    return [f"{prefix}{day}{suffix}" for day in days]


# --- joining the days over the period --------------------------------------------------------


def _space_time(
    space: fe.SpaceState,
    view: SpaceView,
    site: fe.SiteState,
    entries: list[list[list[list[int]]]],
    period: Interval,
    min_minutes: int,
    now: datetime,
) -> SpaceTime:
    """An entry is [released, open, closed] of one day, each a list of [start, end] pieces;
    an open piece also carries its slot (its stretch rounded inward to the grid) when it has
    one."""
    start, end = microseconds(period.start), microseconds(period.end)
    released = [(a, b) for a, b, _ in join_days((entry[0] for entry in entries), start, end)]
    closed = [(a, b) for a, b, _ in join_days((entry[2] for entry in entries), start, end)]
    usable = bookable_period(view.rules, period, now)
    slots = [] if usable is None else _slots(view.rules, entries, usable, min_minutes)
    return SpaceTime(space, site, slots, released, closed)


def _slots(
    rules: Any, entries: list[list[list[list[int]]]], usable: Interval, min_minutes: int
) -> list[Span]:
    """`slots_in` over the open time joined within `usable`; a stretch that is one day's
    piece uncut takes the slot worked out for it when the day was computed."""
    shortest = shortest_slot(rules, min_minutes) // MICROSECOND
    start, end = microseconds(usable.start), microseconds(usable.end)
    slots: list[Span] = []
    for low, high, piece in join_days((entry[1] for entry in entries), start, end):
        if piece is None:
            stretch = Interval(instant(low), instant(high))
            found = slots_in(rules, [stretch], min_minutes)
            slots.extend((microseconds(s.start), microseconds(s.end)) for s in found)
        elif len(piece) == 4 and piece[3] - piece[2] >= shortest:
            slots.append((piece[2], piece[3]))
    return slots


# --- computing the missing days --------------------------------------------------------------


@dataclass
class _Inputs:
    windows: dict[str, list[WindowView]] = field(default_factory=lambda: defaultdict(list))
    closures: list[ClosureView] = field(default_factory=list)
    busy: dict[str, list[BusyInterval]] = field(default_factory=lambda: defaultdict(list))


_INPUTS = text(
    """
    WITH held AS MATERIALIZED (
        -- The bookings' own occupancy rows that reach into the days, through their range
        -- index, first: a planner misled by stale statistics would otherwise probe the
        -- range index once per booking.
        SELECT o.booking_id
        FROM booking_occupancy o
        WHERE o.own AND o.active AND o.during && tstzrange(:busy_since, :busy_until)
          AND o.space_id = ANY(:related)
    )
    SELECT 'window' AS kind, w.space_id AS subject, NULL::uuid AS other,
           NULL::timestamptz AS start, NULL::timestamptz AS "end", w.state AS state
    FROM read_window w
    WHERE w.space_id = ANY(:spaces)
    UNION ALL
    SELECT 'closure', c.site_id, c.space_id, c.start, c."end", c.state
    FROM read_closure c
    WHERE c.site_id = ANY(:sites) AND c.start < :until AND c."end" > :since
    UNION ALL
    SELECT 'round', rs.space_id, r.id, NULL, NULL, to_jsonb(r)
    FROM application_round r
    JOIN application_round_space rs ON rs.round_id = r.id
    WHERE rs.space_id = ANY(:related) AND r.state = ANY(:reserving)
      AND r.season_last_date >= :first_date AND r.season_first_date <= :last_date
    UNION ALL
    SELECT 'busy', b.space_id, b.id, b.start, b."end", NULL
    FROM held
    JOIN booking b ON b.id = held.booking_id
    WHERE b.status = ANY(:active) AND b.start < :busy_until AND b."end" > :busy_since
    """
).bindparams(
    bindparam("spaces", type_=ARRAY(Uuid())),
    bindparam("sites", type_=ARRAY(Uuid())),
    bindparam("related", type_=ARRAY(Uuid())),
    bindparam("reserving", type_=ARRAY(String())),
    bindparam("active", type_=ARRAY(String())),
    bindparam("since", type_=DateTime(timezone=True)),
    bindparam("until", type_=DateTime(timezone=True)),
    bindparam("busy_since", type_=DateTime(timezone=True)),
    bindparam("busy_until", type_=DateTime(timezone=True)),
    bindparam("first_date", type_=Date()),
    bindparam("last_date", type_=Date()),
)


async def _inputs(
    session: AsyncSession, spaces: Sequence[fe.SpaceState], days: Sequence[date]
) -> _Inputs:
    """Windows, closures, reserved season evenings and active bookings for `spaces` on `days`,
    in one statement: only rows that reach into the days, found by their indexed ranges."""
    span = Interval(local_day(min(days)).start, local_day(max(days)).end)
    # Bookings a day before and after too: their buffer may reach into the days.
    busy_span = span.padded(timedelta(days=1))
    related = {other for space in spaces for other in catalogue.conflict_ids(space)}
    parameters = {
        "spaces": [space.space_id for space in spaces],
        "sites": list({space.site_id for space in spaces}),
        "related": list(related),
        "reserving": [state.value for state in RESERVING_STATES],
        "active": list(ACTIVE_STATUSES),
        "since": span.start,
        "until": span.end,
        "busy_since": busy_span.start,
        "busy_until": busy_span.end,
        "first_date": local_date(span.start),
        "last_date": local_date(span.end),
    }
    inputs = _Inputs()
    site_of = {str(space.space_id): str(space.site_id) for space in spaces}
    rows = (await session.execute(_INPUTS, parameters)).all()
    for kind, subject, other, start, end, state in rows:
        if kind == "window":
            view = catalogue.window_view(fe.WindowState.model_validate(state))
            if view is not None:
                inputs.windows[view.space_id].append(view)
        elif kind == "closure":
            inputs.closures.append(catalogue.closure_view(fe.ClosureState.model_validate(state)))
        elif kind == "round":
            round_ = round_view(ApplicationRound.model_validate(state), [subject])
            inputs.closures.extend(
                ClosureView(
                    evening,
                    f"Application round {round_.name} / Søknadsrunde {round_.name}",
                    str(subject),
                    site_of.get(str(subject), ""),
                )
                for evening in round_.evenings_within(span)
            )
        else:
            inputs.busy[str(subject)].append(
                BusyInterval(str(subject), Interval(start, end), str(other))
            )
    return inputs


async def _computed(
    session: AsyncSession, missing: Sequence[tuple[fe.SpaceState, date]]
) -> dict[tuple[uuid.UUID, date], bytes]:
    days_of: dict[uuid.UUID, list[date]] = defaultdict(list)
    spaces: dict[uuid.UUID, fe.SpaceState] = {}
    for space, day in missing:
        days_of[space.space_id].append(day)
        spaces[space.space_id] = space
    inputs = await _inputs(session, list(spaces.values()), sorted({day for _, day in missing}))
    # Many spaces over many days: worked out off the event loop.
    return await asyncio.to_thread(_encoded_days, list(spaces.values()), days_of, inputs)


def _encoded_days(
    spaces: Sequence[fe.SpaceState],
    days_of: Mapping[uuid.UUID, list[date]],
    inputs: _Inputs,
) -> dict[tuple[uuid.UUID, date], bytes]:
    found: dict[tuple[uuid.UUID, date], bytes] = {}
    for space in spaces:
        view = catalogue.space_view(space)
        busy = [item for other in view.conflict_set for item in inputs.busy.get(other, ())]
        days = days_of[space.space_id]
        windows = inputs.windows.get(view.space_id, [])
        times = days_time(view, days, windows, inputs.closures, busy)
        for day, time in zip(days, times, strict=True):
            found[space.space_id, day] = _encoded(time, view.rules.granularity_minutes)
    return found


def _encoded(time: DayTime, granularity_minutes: int) -> bytes:
    def spans(intervals: list[Interval]) -> list[list[int]]:
        return [[microseconds(i.start), microseconds(i.end)] for i in intervals]

    open_pieces = []
    for piece in time.open:
        slot = round_inward(piece, granularity_minutes, OSLO)
        bounds = [microseconds(piece.start), microseconds(piece.end)]
        if slot is not None:
            bounds += [microseconds(slot.start), microseconds(slot.end)]
        open_pieces.append(bounds)
    return orjson.dumps([spans(time.released), open_pieces, spans(time.closed)])


# --- the filters -----------------------------------------------------------------------------


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
