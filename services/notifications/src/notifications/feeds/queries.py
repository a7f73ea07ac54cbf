"""Feed queries: a feed rendered from the read model, and the Redis cache of rendered feeds.

A feed is named by a `FeedKey` (space, site, organisation or a resident's loans). Its rendered
bytes are cached under a generation number per feed; the consumer bumps the generation after
it committed an event that touches the feed, so a render that raced with the event can only
ever fill the old generation's slot, which is no longer read.

A space's feed also shows the bookings of its conflict set (the whole hall in a part's feed,
the parts in the whole hall's), so its cache slot is named by the generations of all those
spaces' feeds, read with the conflict set the feed is rendered from: an event on a part moves
the whole hall's slot on without the consumer having to know who shows that part.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

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
class RenderedFeed:
    body: bytes
    last_modified: datetime

    @property
    def etag(self) -> str:
        return feed_etag(self.body)


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
    stamp = feed_stamp(entries, floor)
    # A busy site's feed holds thousands of events: rendered off the event loop.
    body = await asyncio.to_thread(functools.partial(render_feed, info, entries, stamp=stamp))
    return RenderedFeed(body, stamp)


_Built = tuple[FeedInfo, list[FeedEntry], datetime]


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
    return info, loan_entries(loans, now=now), EPOCH


async def _booking_entries(
    session: AsyncSession,
    bookings_of: ColumnElement[bool],
    series_of: ColumnElement[bool],
    audience: Audience,
    now: datetime,
    *,
    own_space: uuid.UUID | None = None,
) -> list[FeedEntry]:
    """Entries of the bookings and series selected; with `own_space`, bookings of other
    spaces (the feed's conflict set) are named by their space."""
    # Series bookings are all loaded: a series' SEQUENCE and overrides depend on all of them.
    bookings = await session.execute(
        select(BookingRecord)
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
    return await asyncio.to_thread(
        functools.partial(
            booking_entries,
            [_booking_view(b, own_space) for b in bookings.scalars()],
            [_series_view(s) for s in series.scalars()],
            audience,
            now=now,
        )
    )


def _booking_view(record: BookingRecord, own_space: uuid.UUID | None = None) -> BookingView:
    return BookingView(
        booking_id=record.booking_id,
        series_id=record.series_id,
        space_name=record.space_name,
        site_name=record.site_name,
        organisation_name=record.organisation_name,
        activity=record.activity,
        participants=record.participants,
        price_explanation=record.price_explanation,
        start=record.start,
        end=record.end,
        status=record.status,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        by_resident=record.by_resident,
        other_space=own_space is not None and record.space_id != own_space,
        team_name=record.team_name,
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


_BUILDERS = {
    FeedKind.SPACE: _space_feed,
    FeedKind.SITE: _site_feed,
    FeedKind.ORGANISATION: _organisation_feed,
    FeedKind.LOANS: _loans_feed,
    FeedKind.GUIDE: guide_feed,
}


# --- the cache ------------------------------------------------------------------------------


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
    def _body_key(key: FeedKey, generation: str) -> str:
        return f"{CACHE_PREFIX}:body:{key.kind}:{key.subject}:{generation}"

    def _skipped(self) -> bool:
        return self._guard.skipped()

    def _failed(self, exc: Exception) -> None:
        self._guard.failed(exc)

    async def generation(self, sources: Sequence[FeedKey]) -> str | None:
        """The generations of a feed's sources (itself first), as one slot name."""
        if self._skipped():
            return None
        try:
            raw = await self._redis.mget([self._generation_key(key) for key in sources])
        except Exception as exc:
            self._failed(exc)
            return None
        return ".".join(str(int(value)) if value is not None else "0" for value in raw)

    async def get(self, key: FeedKey, generation: str) -> RenderedFeed | None:
        if self._skipped():
            return None
        try:
            raw = await self._redis.get(self._body_key(key, generation))
        except Exception as exc:
            self._failed(exc)
            return None
        if raw is None:
            return None
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        stamp, _, body = data.partition(b"\n")
        return RenderedFeed(body, datetime.fromisoformat(stamp.decode()))

    async def put(self, key: FeedKey, generation: str, feed: RenderedFeed) -> None:
        if self._skipped():
            return
        value = feed.last_modified.isoformat().encode() + b"\n" + feed.body
        try:
            await self._redis.set(self._body_key(key, generation), value, ex=self._ttl_s)
        except Exception as exc:
            self._failed(exc)

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
        async for name in self._redis.scan_iter(match=f"{CACHE_PREFIX}:body:*", count=500):
            await self._redis.delete(name)


async def cached_feed(
    session: AsyncSession, cache: FeedCache, key: FeedKey, *, base_url: str, now: datetime
) -> RenderedFeed | None:
    generation = await cache.generation(await feed_sources(session, key))
    if generation is not None:
        hit = await cache.get(key, generation)
        if hit is not None:
            return hit
    feed = await build_feed(session, key, base_url=base_url, now=now)
    if feed is not None and generation is not None:
        await cache.put(key, generation, feed)
    return feed


__all__ = [
    "FeedCache",
    "FeedKey",
    "FeedKind",
    "RenderedFeed",
    "build_feed",
    "cached_feed",
    "feed_sources",
]
