"""What the giving-back pages read: a booking, a series, the club and its waiting list."""

from __future__ import annotations

import uuid
from typing import Any

from portal.apis import Apis


async def booking(apis: Apis, token: str, booking_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/bookings/{booking_id}", token=token)
    return found


async def series(apis: Apis, token: str, series_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/booking-series/{series_id}", token=token)
    return found


async def club(apis: Apis, token: str, organisation_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get(
        "booking", f"/organisations/{organisation_id}", token=token
    )
    return found


async def waiting_list(apis: Apis, token: str, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    """The club's places on the direct waiting list, still waiting first, oldest first."""
    path = f"/organisations/{organisation_id}/waiting-list"
    found: list[dict[str, Any]] = await apis.get("booking", path, token=token)
    return sorted(found, key=lambda e: (e.get("status") != "waiting", str(e.get("created_at"))))
