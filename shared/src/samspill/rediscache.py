"""Redis as a cache a request can do without: when it fails, the answer comes from the
database, and for a few seconds after a failure Redis is not asked at all (a Redis that hangs
would otherwise cost every request its connect timeout before the database answers).

The back-off is kept per Redis client, so every cache on one client skips it together.
"""

from __future__ import annotations

import time
import weakref

import structlog
from redis.asyncio import Redis

__all__ = ["REDIS_BACKOFF_S", "CacheGuard"]

log = structlog.get_logger("samspill.rediscache")

REDIS_BACKOFF_S = 5.0
_down_until: weakref.WeakKeyDictionary[Redis, float] = weakref.WeakKeyDictionary()


class CacheGuard:
    """Whether to ask Redis now; `failed` starts the back-off and logs it once per failure."""

    def __init__(self, redis: Redis, name: str, backoff_s: float | None = None) -> None:
        self.redis = redis
        self._name = name
        self._backoff_s = backoff_s

    def skipped(self) -> bool:
        return time.monotonic() < _down_until.get(self.redis, 0.0)

    def failed(self, exc: BaseException) -> None:
        backoff = REDIS_BACKOFF_S if self._backoff_s is None else self._backoff_s
        _down_until[self.redis] = time.monotonic() + backoff
        log.warning(f"{self._name}.cache_unavailable", error=repr(exc), skipped_for_s=backoff)
