"""Reading the preparedness overview (booking), the requisitions and sites (facilities) and a
club's registration."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from portal.apis import Apis

PAGE = 200


async def _every(
    apis: Apis, path: str, token: str | None = None, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every item of one of facilities' paged lists (`{items, total}`)."""
    items: list[dict[str, Any]] = []
    while True:
        page = await apis.get(
            "facilities",
            path,
            token=token,
            params={**(params or {}), "limit": PAGE, "offset": len(items)},
        )
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return items


async def overview(
    apis: Apis, token: str, district: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Booking's overview, facilities' requisitions not lifted and its sites (the form's
    choices)."""
    params = {"district": district} if district else {}
    found, requisitions, sites = await asyncio.gather(
        apis.get("booking", "/preparedness/overview", token=token, params=params),
        _every(apis, "/requisitions", token, {"active": "true"}),
        _every(apis, "/sites"),
    )
    return found, requisitions, sorted(sites, key=lambda s: str(s.get("name", "")).casefold())


async def club_preparedness(apis: Apis, token: str, organisation_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get(
        "booking", f"/organisations/{organisation_id}/preparedness", token=token
    )
    return found
