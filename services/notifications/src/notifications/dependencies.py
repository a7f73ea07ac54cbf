"""FastAPI dependencies shared by the notifications features."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from notifications.config import NotificationsSettings
from notifications.feeds.queries import FeedCache


# Async, so FastAPI calls them on the event loop instead of handing each to a worker thread.
async def get_settings(request: Request) -> NotificationsSettings:
    settings = request.app.state.settings
    if not isinstance(settings, NotificationsSettings):
        raise RuntimeError("the notifications app runs with NotificationsSettings")
    return settings


async def get_feed_cache(request: Request) -> FeedCache:
    state: Any = request.app.state
    return FeedCache(state.redis, (await get_settings(request)).feed_cache_ttl_s)


SettingsDep = Annotated[NotificationsSettings, Depends(get_settings)]
FeedCacheDep = Annotated[FeedCache, Depends(get_feed_cache)]
