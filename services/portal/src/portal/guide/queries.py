"""Reading the guide (no login) and a series' public activity from the APIs."""

from __future__ import annotations

import uuid
from typing import Any

from portal.apis import ApiRefused, Apis


async def guide(apis: Apis, params: dict[str, str]) -> dict[str, Any]:
    return dict(await apis.get("notifications", "/guide", params=params))


async def series(apis: Apis, token: str, series_id: uuid.UUID) -> dict[str, Any]:
    return dict(await apis.get("booking", f"/booking-series/{series_id}", token=token))


async def public_activity(apis: Apis, token: str, series_id: uuid.UUID) -> dict[str, Any] | None:
    """What the guide shows about the series; None while it is private."""
    try:
        found = await apis.get(
            "booking", f"/booking-series/{series_id}/public-activity", token=token
        )
    except ApiRefused as refused:
        if refused.status == 404:
            return None
        raise
    return dict(found)
