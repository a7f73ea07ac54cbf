"""What the giving-back forms send to booking."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from portal.apis import Apis


async def give_back_date(apis: Apis, token: str, booking_id: uuid.UUID) -> dict[str, Any]:
    """Give one booked date back; booking offers it to the waiting clubs first."""
    freed: dict[str, Any] = await apis.post(
        "booking", f"/bookings/{booking_id}/give-back", token=token, json={}
    )
    return freed


async def give_back_rest(
    apis: Apis, token: str, series_id: uuid.UUID, from_date: date
) -> dict[str, Any]:
    """Give back the series' dates from `from_date` on."""
    body = {"from_date": from_date.isoformat()}
    freed: dict[str, Any] = await apis.post(
        "booking", f"/booking-series/{series_id}/give-back", token=token, json=body
    )
    return freed


async def join(apis: Apis, token: str, body: dict[str, Any]) -> None:
    await apis.post("booking", "/waiting-list", token=token, json=body)


async def leave(apis: Apis, token: str, entry_id: uuid.UUID) -> None:
    await apis.delete("booking", f"/waiting-list/{entry_id}", token=token)
