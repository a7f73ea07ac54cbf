"""The feed cache when Redis is away: the feed is rendered from the database, and for a few
seconds after a failure Redis is not asked again (a hanging Redis would cost every request
its connect timeout)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from redis.asyncio import Redis

from notifications.feeds.queries import FeedCache, FeedKey, FeedKind
from samspill import rediscache

KEY = FeedKey(FeedKind.SITE, "5f0c7d8e-0000-4000-8000-000000000001")


class AwayRedis:
    """Refuses every command, and counts how often it was asked."""

    def __init__(self) -> None:
        self.asked = 0

    async def mget(self, *args: Any) -> list[Any]:
        self.asked += 1
        raise ConnectionError("Redis is away")

    async def get(self, *args: Any) -> Any:
        self.asked += 1
        raise ConnectionError("Redis is away")

    async def getrange(self, *args: Any) -> Any:
        self.asked += 1
        raise ConnectionError("Redis is away")

    async def set(self, *args: Any, **kwargs: Any) -> None:
        self.asked += 1
        raise ConnectionError("Redis is away")


async def test_after_a_failure_redis_is_skipped_for_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redis = AwayRedis()
    cache = FeedCache(cast(Redis, redis), ttl_s=300)
    assert await cache.generation(KEY) is None  # render from the database
    assert redis.asked == 1
    assert await cache.generation(KEY) is None
    assert await cache.get(KEY, 0, head_only=False) is None
    assert await cache.get(KEY, 0, head_only=True) is None
    assert redis.asked == 1, "Redis was asked again during the back-off"

    monkeypatch.setattr(rediscache, "REDIS_BACKOFF_S", 0.0)  # no back-off: asked every time
    other = AwayRedis()
    uncached = FeedCache(cast(Redis, other), ttl_s=300)
    assert await uncached.generation(KEY) is None
    assert await uncached.generation(KEY) is None
    assert other.asked == 2
