"""iCal feeds: public per space and site, private per organisation and per resident's loans."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from notifications.config import NotificationsSettings
from notifications.dependencies import FeedCacheDep, SettingsDep
from notifications.domain.feed_tokens import FeedTokenKind
from notifications.feed_tokens.queries import resolve_token
from notifications.feeds.queries import (
    FeedCache,
    FeedHead,
    FeedKey,
    FeedKind,
    RenderedFeed,
    cached_feed,
)
from samspill.clock import NowDep
from samspill.db import UnitOfWork, UnitOfWorkDep
from samspill.errors import NotFound

router = APIRouter(prefix="/feeds", tags=["feeds"])

MEDIA_TYPE = "text/calendar; charset=utf-8"
_FEED_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/calendar": {}}, "description": "The iCalendar feed"},
    304: {"description": "Not modified since the given ETag or date"},
    404: {"description": "No such feed"},
}

IfNoneMatch = Annotated[str | None, Header()]
IfModifiedSince = Annotated[str | None, Header()]


def _not_found() -> NotFound:
    return NotFound("No such calendar feed.", "Fant ikke kalenderen.")


def feed_response(
    feed: RenderedFeed | FeedHead,
    if_none_match: str | None,
    if_modified_since: str | None,
    *,
    public: bool,
) -> Response:
    """200 with the body, or 304 when the client's copy is current (RFC 9110 §13.1); a head
    alone is for a client whose copy is current."""
    head = feed.head if isinstance(feed, RenderedFeed) else feed
    headers = {
        "ETag": head.etag,
        "Last-Modified": format_datetime(head.last_modified.astimezone(UTC), usegmt=True),
        "Cache-Control": f"{'public' if public else 'private'}, max-age=300",
    }
    if not public:
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex"
    if not_modified(head, if_none_match, if_modified_since):
        return Response(status_code=304, headers=headers)
    if not isinstance(feed, RenderedFeed):
        raise ValueError("a feed that changed is answered with its body")
    return Response(content=feed.body, media_type=MEDIA_TYPE, headers=headers)


def not_modified(head: FeedHead, if_none_match: str | None, if_modified_since: str | None) -> bool:
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or head.etag in tags
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return head.last_modified.replace(microsecond=0) <= since
    return False


class FeedServer:
    """What every feed route needs to answer: the feed, from the cache, with HTTP caching."""

    def __init__(
        self,
        uow: UnitOfWork,
        cache: FeedCache,
        settings: NotificationsSettings,
        now: datetime,
        if_none_match: str | None,
        if_modified_since: str | None,
    ) -> None:
        self.uow, self.cache, self.settings, self.now = uow, cache, settings, now
        self.if_none_match, self.if_modified_since = if_none_match, if_modified_since

    async def serve(self, key: FeedKey, *, public: bool) -> Response:
        conditional = self.if_none_match is not None or self.if_modified_since is not None
        feed = await self._feed(key, head_only=conditional)
        if isinstance(feed, FeedHead) and not not_modified(
            feed, self.if_none_match, self.if_modified_since
        ):
            feed = await self._feed(key, head_only=False)  # changed since the client's copy
        return feed_response(feed, self.if_none_match, self.if_modified_since, public=public)

    async def _feed(self, key: FeedKey, *, head_only: bool) -> RenderedFeed | FeedHead:
        feed = await cached_feed(
            self.uow.session,
            self.cache,
            key,
            base_url=self.settings.public_base_url,
            now=self.now,
            head_only=head_only,
        )
        if feed is None:
            raise _not_found()
        return feed

    async def serve_private(
        self, kind: FeedKind, token_kind: FeedTokenKind, token: str
    ) -> Response:
        """A private feed behind its token; an unknown or revoked token is a missing feed."""
        subject = await resolve_token(self.uow.session, token_kind, token)
        if subject is None:
            raise _not_found()
        return await self.serve(FeedKey(kind, subject), public=False)


# Async, so FastAPI builds it on the event loop instead of handing it to a worker thread.
async def feed_server(
    uow: UnitOfWorkDep,
    cache: FeedCacheDep,
    settings: SettingsDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
    if_modified_since: IfModifiedSince = None,
) -> FeedServer:
    return FeedServer(uow, cache, settings, now, if_none_match, if_modified_since)


Server = Annotated[FeedServer, Depends(feed_server)]


# GET and HEAD are two routes, so each has its own OpenAPI operation id.
@router.get("/spaces/{space_id}.ics", responses=_FEED_RESPONSES)
@router.head("/spaces/{space_id}.ics", responses=_FEED_RESPONSES)
async def space_feed(space_id: uuid.UUID, server: Server) -> Response:
    """Public: every booking of the space and of the spaces it cannot be used at the same time
    as (a whole hall and its parts, named by their space), with organisation and activity only.
    A resident's own booking shows as a private booking, without its activity."""
    return await server.serve(FeedKey(FeedKind.SPACE, str(space_id)), public=True)


@router.get("/sites/{site_id}.ics", responses=_FEED_RESPONSES)
@router.head("/sites/{site_id}.ics", responses=_FEED_RESPONSES)
async def site_feed(site_id: uuid.UUID, server: Server) -> Response:
    """Public: every booking at the site's spaces; a resident's own booking shows as a private
    booking, without its activity."""
    return await server.serve(FeedKey(FeedKind.SITE, str(site_id)), public=True)


@router.get("/organisations/{token}.ics", responses=_FEED_RESPONSES)
@router.head("/organisations/{token}.ics", responses=_FEED_RESPONSES)
async def organisation_feed(token: str, server: Server) -> Response:
    """Private (token in the path): the organisation's bookings with participants and price."""
    return await server.serve_private(FeedKind.ORGANISATION, FeedTokenKind.ORGANISATION, token)


@router.get("/loans/{token}.ics", responses=_FEED_RESPONSES)
@router.head("/loans/{token}.ics", responses=_FEED_RESPONSES)
async def loans_feed(token: str, server: Server) -> Response:
    """Private (token in the path): pickup and return of the resident's loans."""
    return await server.serve_private(FeedKind.LOANS, FeedTokenKind.LOANS, token)
