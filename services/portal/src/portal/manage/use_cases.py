"""What the manager's forms send: releases and withdrawn dates (facilities), closures and
lifting them (facilities; booking cancels what a closure takes), approvals and rejections
(booking)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from portal.apis import Apis
from portal.domain.manage import Closing, Release


async def release(apis: Apis, token: str, space_id: uuid.UUID, chosen: Release) -> dict[str, Any]:
    window: dict[str, Any] = await apis.post(
        "facilities", f"/spaces/{space_id}/windows", token=token, json=chosen.body()
    )
    return window


async def withdraw_date(
    apis: Apis, token: str, space_id: uuid.UUID, window_id: uuid.UUID, day: date
) -> None:
    await apis.post(
        "facilities",
        f"/spaces/{space_id}/windows/{window_id}/withdraw-dates",
        token=token,
        json={"dates": [day.isoformat()]},
    )


async def withdraw_window(
    apis: Apis, token: str, space_id: uuid.UUID, window_id: uuid.UUID
) -> None:
    await apis.delete("facilities", f"/spaces/{space_id}/windows/{window_id}", token=token)


async def close(apis: Apis, token: str, closing: Closing) -> dict[str, Any]:
    closure: dict[str, Any] = await apis.post(
        "facilities", "/closures", token=token, json=closing.body()
    )
    return closure


async def lift(apis: Apis, token: str, closure_id: uuid.UUID) -> None:
    await apis.delete("facilities", f"/closures/{closure_id}", token=token)


async def approve(apis: Apis, token: str, booking_id: uuid.UUID) -> None:
    await apis.post("booking", f"/bookings/{booking_id}/approve", token=token)


async def reject(apis: Apis, token: str, booking_id: uuid.UUID, reason: str) -> None:
    await apis.post(
        "booking", f"/bookings/{booking_id}/reject", token=token, json={"reason": reason}
    )
