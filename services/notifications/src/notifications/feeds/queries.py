"""Feed queries: a feed rendered from the read model, and the Redis cache of rendered feeds.

A feed is named by a `FeedKey` (space, site, organisation or a resident's loans). Its rendered
bytes are cached under a generation number per feed; the consumer bumps the generation after
it committed an event that touches the feed, so a render that raced with the event can only
ever fill the old generation's slot, which is no longer read.

A space's feed also shows the bookings of its conflict set (the whole hall in a part's feed,
the parts in the whole hall's), so its cached copy also names the generations of all those
spaces' feeds as they were read before the render, and is served only while they are still
current: an event on a part moves the whole hall's copy on without the consumer having to
know who shows that part. The conflict set is read from the space's record, which changes
only with the space's own events, so the copy's slot (the space's own generation) names it
too and a request served from the cache does not read the database at all.

A cached copy starts with one line of JSON (its Last-Modified, ETag and those generations), so
a calendar client's revalidation reads that line alone, never the body.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
from redis.asyncio import Redis
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.entries import (
    HISTORY,
    Audience,
    BookingView,
    LoanView,
    SeriesView,
    booking_entries,
    feed_stamp,
    loan_entries,
)
from notifications.domain.feed import FeedEntry, FeedInfo, feed_etag, render_feed
from notifications.guide.queries import guide_feed
from notifications.readmodel.tables import (
    BookingRecord,
    LoanRecord,
    OrganisationRecord,
    SeriesRecord,
    SiteRecord,
    SpaceRecord,
)
from samspill.ids import parse_uuid
from samspill.rediscache import CacheGuard

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
CACHE_PREFIX = "notifications:feed"


class FeedKind(StrEnum):
    SPACE = "space"
    SITE = "site"
    ORGANISATION = "organisation"
    LOANS = "loans"
    # The activity guide's feed of a district's activity: subject `district/activity key`.
    GUIDE = "guide"


@dataclass(frozen=True, slots=True)
class FeedKey:
    kind: FeedKind
    subject: str


@dataclass(frozen=True, slots=True)
class FeedHead:
    """What a conditional request is answered from: the feed's ETag and Last-Modified."""

    etag: str
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    body: bytes
    last_modified: datetime
    etag: str = field(default="")  # the body's (`feed_etag`) when not given

    def __post_init__(self) -> None:
        if not self.etag:
            object.__setattr__(self, "etag", feed_etag(self.body))

    @property
    def head(self) -> FeedHead:
        return FeedHead(self.etag, self.last_modified)


# --- building -------------------------------------------------------------------------------


async def feed_sources(session: AsyncSession, key: FeedKey) -> list[FeedKey]:
    """The feeds whose events change this one: itself and, for a space, its conflict set; for
    a guide feed, its district's (an activity event moves every activity of its district on,
    so a renamed activity leaves its old feed too)."""
    if key.kind is FeedKind.GUIDE:
        return [key, FeedKey(FeedKind.GUIDE, key.subject.partition("/")[0])]
    if key.kind is not FeedKind.SPACE:
        return [key]
    space_id = parse_uuid(key.subject)
    space = await session.get(SpaceRecord, space_id) if space_id else None
    if space is None:
        return [key]
    return [key, *(FeedKey(FeedKind.SPACE, other) for other in sorted(space.conflicts_with))]


async def build_feed(
    session: AsyncSession, key: FeedKey, *, base_url: str, now: datetime
) -> RenderedFeed | None:
    """Render a feed from the read model; None when its space, site or owner is unknown."""
    built = await _BUILDERS[key.kind](session, key.subject, base_url, now)
    if built is None:
        return None
    info, entries, floor = built
    # A busy site's feed holds thousands of events: made and rendered off the event loop, in
    # one hand-over to the worker thread.
    return await asyncio.to_thread(_rendered, info, entries, floor)


def _rendered(
    info: FeedInfo, entries: Callable[[], list[FeedEntry]], floor: datetime
) -> RenderedFeed:
    made = entries()
    stamp = feed_stamp(made, floor)
    return RenderedFeed(render_feed(info, made, stamp=stamp), stamp)


# A feed's description, the entries to render (made in the worker thread) and the floor of
# its Last-Modified.
_Built = tuple[FeedInfo, Callable[[], list[FeedEntry]], datetime]


async def _space_feed(
    session: AsyncSession, subject: str, base_url: str, now: datetime
) -> _Built | None:
    space_id = parse_uuid(subject)
    space = await session.get(SpaceRecord, space_id) if space_id else None
    if space is None:
        return None
    site = await session.get(SiteRecord, space.site_id)
    site_name = site.name if site else ""
    title = f"{site_name} – {space.name}" if site_name else space.name
    info = FeedInfo(
        name=title,
        description=f"Bookinger / bookings: {title}, Lillestrøm kommune",
        url=f"{base_url}/feeds/spaces/{space.space_id}.ics",
    )
    shown = [space.space_id, *(uuid.UUID(other) for other in space.conflicts_with)]
    entries = await _booking_entries(
        session,
        col(BookingRecord.space_id).in_(shown),
        col(SeriesRecord.space_id).in_(shown),
        Audience.PUBLIC,
        now,
        own_space=space.space_id,
    )
    return info, entries, space.changed_at


async def _site_feed(
    session: AsyncSession, subject: str, base_url: str, now: datetime
) -> _Built | None:
    site_id = parse_uuid(subject)
    site = await session.get(SiteRecord, site_id) if site_id else None
    if site is None:
        return None
    info = FeedInfo(
        name=site.name,
        description=f"Bookinger / bookings: {site.name}, Lillestrøm kommune",
        url=f"{base_url}/feeds/sites/{site.site_id}.ics",
    )
    entries = await _booking_entries(
        session,
        col(BookingRecord.site_id) == site.site_id,
        col(SeriesRecord.site_id) == site.site_id,
        Audience.PUBLIC,
        now,
    )
    return info, entries, site.changed_at


async def _organisation_feed(
    session: AsyncSession, subject: str, base_url: str, now: datetime
) -> _Built | None:
    organisation_id = parse_uuid(subject)
    if organisation_id is None:
        return None
    organisation = await session.get(OrganisationRecord, organisation_id)
    name = organisation.name if organisation else "Samspill"
    info = FeedInfo(
        name=f"{name} – Samspill",
        description=f"Bookinger for / bookings of {name}, Lillestrøm kommune",
    )
    entries = await _booking_entries(
        session,
        col(BookingRecord.organisation_id) == organisation_id,
        col(SeriesRecord.organisation_id) == organisation_id,
        Audience.ORGANISATION,
        now,
    )
    return info, entries, organisation.changed_at if organisation else EPOCH


async def _loans_feed(
    session: AsyncSession, subject: str, base_url: str, now: datetime
) -> _Built | None:
    result = await session.execute(
        select(LoanRecord)
        .where(col(LoanRecord.resident_id) == subject)
        .order_by(col(LoanRecord.loan_id))
    )
    loans = [_loan_view(loan) for loan in result.scalars()]
    info = FeedInfo(
        name="Mine utlån / my loans – Samspill",
        description="Henting og levering av lånt utstyr / pickup and return of loans",
    )
    return info, functools.partial(loan_entries, loans, now=now), EPOCH


async def _booking_entries(
    session: AsyncSession,
    bookings_of: ColumnElement[bool],
    series_of: ColumnElement[bool],
    audience: Audience,
    now: datetime,
    *,
    own_space: uuid.UUID | None = None,
) -> Callable[[], list[FeedEntry]]:
    """Entries of the bookings and series selected; with `own_space`, bookings of other
    spaces (the feed's conflict set) are named by their space."""
    # Series bookings are all loaded: a series' SEQUENCE and overrides depend on all of them.
    # Plain rows, not ORM objects: a busy feed reads thousands and only looks at them.
    bookings = await session.execute(
        select(*_BOOKING_COLUMNS)
        .where(
            bookings_of,
            or_(
                col(BookingRecord.end) >= now - HISTORY,
                col(BookingRecord.series_id).is_not(None),
            ),
        )
        .order_by(col(BookingRecord.booking_id))
    )
    series = await session.execute(select(SeriesRecord).where(series_of))
    return functools.partial(
        booking_entries,
        [_booking_view(row, own_space) for row in bookings],
        [_series_view(s) for s in series.scalars()],
        audience,
        now=now,
    )


# The columns a `BookingView` is made of, and the booking's space.
_BOOKING_COLUMNS = (
    col(BookingRecord.booking_id),
    col(BookingRecord.series_id),
    col(BookingRecord.space_name),
    col(BookingRecord.site_name),
    col(BookingRecord.organisation_name),
    col(BookingRecord.activity),
    col(BookingRecord.participants),
    col(BookingRecord.price_explanation),
    col(BookingRecord.start),
    col(BookingRecord.end),
    col(BookingRecord.status),
    col(BookingRecord.version),
    col(BookingRecord.created_at),
    col(BookingRecord.updated_at),
    col(BookingRecord.by_resident),
    col(BookingRecord.team_name),
    col(BookingRecord.space_id),
)


# The rows of busy feeds come back render after render: each row's view is made once, and
# the same view then finds its entry by identity (`single_entry`'s cache).
_VIEWS: dict[tuple[Any, ...], BookingView] = {}
_VIEWS_KEPT = 20_000


def _booking_view(row: Sequence[Any], own_space: uuid.UUID | None = None) -> BookingView:
    """A row of `_BOOKING_COLUMNS` as the booking's view."""
    key = (own_space, *row)
    found = _VIEWS.get(key)
    if found is None:
        if len(_VIEWS) >= _VIEWS_KEPT:
            _VIEWS.clear()
        found = _VIEWS[key] = _new_booking_view(row, own_space)
    return found


def _new_booking_view(row: Sequence[Any], own_space: uuid.UUID | None) -> BookingView:
    (
        booking_id,
        series_id,
        space_name,
        site_name,
        organisation_name,
        activity,
        participants,
        price_explanation,
        start,
        end,
        status,
        version,
        created_at,
        updated_at,
        by_resident,
        team_name,
        space_id,
    ) = row
    return BookingView(
        booking_id=booking_id,
        series_id=series_id,
        space_name=space_name,
        site_name=site_name,
        organisation_name=organisation_name,
        activity=activity,
        participants=participants,
        price_explanation=price_explanation,
        start=start,
        end=end,
        status=status,
        version=version,
        created_at=created_at,
        updated_at=updated_at,
        by_resident=by_resident,
        other_space=own_space is not None and space_id != own_space,
        team_name=team_name,
    )


def _series_view(record: SeriesRecord) -> SeriesView:
    return SeriesView(
        series_id=record.series_id,
        space_name=record.space_name,
        site_name=record.site_name,
        organisation_name=record.organisation_name,
        activity=record.activity,
        local_start_time=record.local_start_time,
        local_end_time=record.local_end_time,
        first_date=record.first_date,
        last_date=record.last_date,
        created_at=record.created_at,
        team_name=record.team_name,
        team_changes=record.team_changes,
        team_changed_at=record.team_changed_at,
    )


def _loan_view(record: LoanRecord) -> LoanView:
    return LoanView(
        loan_id=record.loan_id,
        centre_name=record.centre_name,
        pickup_date=record.pickup_date,
        return_date=record.return_date,
        status=record.status,
        items=tuple(record.items),
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


async def _guide_feed(
    session: AsyncSession, subject: str, base_url: str, now: datetime
) -> _Built | None:
    built = await guide_feed(session, subject, base_url, now)
    if built is None:
        return None
    info, entries, floor = built
    return info, lambda: entries, floor


_BUILDERS = {
    FeedKind.SPACE: _space_feed,
    FeedKind.SITE: _site_feed,
    FeedKind.ORGANISATION: _organisation_feed,
    FeedKind.LOANS: _loans_feed,
    FeedKind.GUIDE: _guide_feed,
}


# --- the cache ------------------------------------------------------------------------------


# A cached copy's first line (its head) is read alone when a conditional request may be
# answered 304; a head is a few hundred bytes.
HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class CachedFeed:
    """A copy from the cache: its head, the generations of the other feeds it was rendered
    with, and its body unless only the head was read."""

    head: FeedHead
    sources: Mapping[str, int]
    body: bytes | None


class FeedCache:
    """Rendered feeds in Redis. Redis being away only costs a render from the database, never
    a failed request; after a failure the cache is skipped for a few seconds
    (`samspill.rediscache`)."""

    def __init__(self, redis: Redis, ttl_s: int) -> None:
        self._redis = redis
        self._guard = CacheGuard(redis, "feeds")
        self._ttl_s = ttl_s

    @staticmethod
    def _generation_key(key: FeedKey) -> str:
        return f"{CACHE_PREFIX}:gen:{key.kind}:{key.subject}"

    @staticmethod
    def _copy_key(key: FeedKey, generation: int) -> str:
        return f"{CACHE_PREFIX}:copy:{key.kind}:{key.subject}:{generation}"

    def _skipped(self) -> bool:
        return self._guard.skipped()

    def _failed(self, exc: Exception) -> None:
        self._guard.failed(exc)

    async def generations(self, keys: Sequence[FeedKey]) -> dict[str, int] | None:
        """The feeds' generations by their generation keys; None when Redis is away."""
        if self._skipped():
            return None
        names = [self._generation_key(key) for key in keys]
        if not names:
            return {}
        try:
            raw = await self._redis.mget(names)
        except Exception as exc:
            self._failed(exc)
            return None
        return {name: int(value or 0) for name, value in zip(names, raw, strict=True)}

    async def generation(self, key: FeedKey) -> int | None:
        found = await self.generations([key])
        return None if found is None else found[self._generation_key(key)]

    async def get(self, key: FeedKey, generation: int, *, head_only: bool) -> CachedFeed | None:
        """The copy in the feed's slot; with `head_only`, its head alone when the head fits
        in `HEAD_BYTES`."""
        if self._skipped():
            return None
        name = self._copy_key(key, generation)
        try:
            raw = await (
                self._redis.getrange(name, 0, HEAD_BYTES - 1)
                if head_only
                else self._redis.get(name)
            )
        except Exception as exc:
            self._failed(exc)
            return None
        data = raw if isinstance(raw, bytes) else str(raw or "").encode()
        line, newline, body = data.partition(b"\n")
        if not newline:
            if head_only and len(data) >= HEAD_BYTES:  # a head longer than was read
                return await self.get(key, generation, head_only=False)
            return None  # no copy
        head = orjson.loads(line)
        return CachedFeed(
            FeedHead(head["etag"], datetime.fromisoformat(head["stamp"])),
            head["sources"],
            None if head_only else body,
        )

    async def put(
        self, key: FeedKey, generation: int, feed: RenderedFeed, sources: Mapping[str, int]
    ) -> None:
        if self._skipped():
            return
        head = {"stamp": feed.last_modified.isoformat(), "etag": feed.etag, "sources": sources}
        value = orjson.dumps(head) + b"\n" + feed.body
        try:
            await self._redis.set(self._copy_key(key, generation), value, ex=self._ttl_s)
        except Exception as exc:
            self._failed(exc)

    async def current(self, sources: Mapping[str, int]) -> bool:
        """Whether the other feeds a copy was rendered with are still at its generations."""
        if not sources:
            return True
        if self._skipped():
            return False
        try:
            raw = await self._redis.mget(list(sources))
        except Exception as exc:
            self._failed(exc)
            return False
        return all(
            int(value or 0) == sources[name] for name, value in zip(sources, raw, strict=True)
        )

    async def invalidate(self, keys: Iterable[FeedKey]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(self._generation_key(key))
            await pipe.execute()

    async def invalidate_all(self) -> None:
        """After a rebuild: every generation moves on."""
        keys = [k async for k in self._redis.scan_iter(match=f"{CACHE_PREFIX}:gen:*", count=500)]
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in keys:
                pipe.incr(name)
            await pipe.execute()
        async for name in self._redis.scan_iter(match=f"{CACHE_PREFIX}:copy:*", count=500):
            await self._redis.delete(name)


async def cached_feed(
    session: AsyncSession,
    cache: FeedCache,
    key: FeedKey,
    *,
    base_url: str,
    now: datetime,
    head_only: bool = False,
) -> RenderedFeed | FeedHead | None:
    """The feed from the cache, or rendered and cached; with `head_only`, a copy in the cache
    may answer with its head alone (for a conditional request, which then needs no body)."""
    generation = await cache.generation(key)
    if generation is not None:
        hit = await cache.get(key, generation, head_only=head_only)
        if hit is not None and await cache.current(hit.sources):
            if hit.body is None:
                return hit.head
            return RenderedFeed(hit.body, hit.head.last_modified, hit.head.etag)
    sources = (await feed_sources(session, key))[1:]
    # The other feeds' generations are read before the render, as the feed's own is.
    seen = await cache.generations(sources) if generation is not None else None
    feed = await build_feed(session, key, base_url=base_url, now=now)
    if feed is not None and generation is not None and seen is not None:
        await cache.put(key, generation, feed, seen)
    return feed


__all__ = [
    "CachedFeed",
    "FeedCache",
    "FeedHead",
    "FeedKey",
    "FeedKind",
    "RenderedFeed",
    "build_feed",
    "cached_feed",
    "feed_sources",
]
