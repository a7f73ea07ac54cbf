"""FastAPI dependencies the booking features share: settings, the clock and the Redis client
that holds given-back time."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from redis.asyncio import Redis

from booking.config import BookingSettings
from samspill.clock import NowDep

__all__ = ["NowDep", "RedisDep", "SettingsDep", "booking_settings", "redis_client"]


async def booking_settings(request: Request) -> BookingSettings:
    state: Any = request.app.state
    settings = state.settings
    if not isinstance(settings, BookingSettings):
        raise RuntimeError("the booking app must be started with BookingSettings")
    return settings


SettingsDep = Annotated[BookingSettings, Depends(booking_settings)]


async def redis_client(request: Request) -> Redis:
    """The service's Redis client, which the runtime opened at start."""
    state: Any = request.app.state
    redis: Redis = state.redis
    return redis


RedisDep = Annotated[Redis, Depends(redis_client)]
