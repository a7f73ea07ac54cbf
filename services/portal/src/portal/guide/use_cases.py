"""Publishing a series in the guide, or making it private, through the booking API."""

from __future__ import annotations

import uuid
from typing import Any

from portal.apis import Apis


async def publish(apis: Apis, token: str, series_id: uuid.UUID, body: dict[str, Any]) -> None:
    await apis.put(
        "booking", f"/booking-series/{series_id}/public-activity", token=token, json=body
    )


async def make_private(apis: Apis, token: str, series_id: uuid.UUID) -> None:
    await apis.delete("booking", f"/booking-series/{series_id}/public-activity", token=token)
