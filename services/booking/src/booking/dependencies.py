"""FastAPI dependencies the booking features share: settings and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from booking.config import BookingSettings


def booking_settings(request: Request) -> BookingSettings:
    state: Any = request.app.state
    settings = state.settings
    if not isinstance(settings, BookingSettings):
        raise RuntimeError("the booking app must be started with BookingSettings")
    return settings


def utc_now() -> datetime:
    return datetime.now(UTC)


SettingsDep = Annotated[BookingSettings, Depends(booking_settings)]
NowDep = Annotated[datetime, Depends(utc_now)]
