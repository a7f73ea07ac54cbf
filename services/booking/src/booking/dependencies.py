"""FastAPI dependencies the booking features share: settings and the clock."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from booking.config import BookingSettings
from samspill.clock import NowDep

__all__ = ["NowDep", "SettingsDep", "booking_settings"]


def booking_settings(request: Request) -> BookingSettings:
    state: Any = request.app.state
    settings = state.settings
    if not isinstance(settings, BookingSettings):
        raise RuntimeError("the booking app must be started with BookingSettings")
    return settings


SettingsDep = Annotated[BookingSettings, Depends(booking_settings)]
