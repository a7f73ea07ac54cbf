"""Reading the preparedness overview (booking), the requisitions and sites (facilities) and a
club's registration."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from portal.apis import Apis


async def overview(
    apis: Apis, token: str, district: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Booking's overview, facilities' requisitions and its sites (for the form's choices)."""
    params = {"district": district} if district else {}
    found, requisitions, sites = await asyncio.gather(
        apis.get("booking", "/preparedness/overview", token=token, params=params),
        apis.get("facilities", "/requisitions", token=token),
        apis.get("facilities", "/sites"),
    )
    return found, list(requisitions), sorted(sites, key=lambda s: str(s.get("name", "")))


async def club_preparedness(apis: Apis, token: str, organisation_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get(
        "booking", f"/organisations/{organisation_id}/preparedness", token=token
    )
    return found
