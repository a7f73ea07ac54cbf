"""Reads for the borrowing pages: the equipment centres and their catalogue (facilities), what
is free for a period and the person's loans (booking), and the person's profile (booking)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from portal.apis import Apis
from portal.domain.lending import Period, Stock

PAGE = 100
CENTRE_KIND = "equipment_centre"


@dataclass(frozen=True)
class Centre:
    centre_id: str
    name: str
    address: str
    reservation_days: int


def _centre(site: dict[str, Any]) -> Centre:
    return Centre(
        centre_id=str(site["site_id"]),
        name=str(site["name"]),
        address=str(site.get("address") or ""),
        reservation_days=int(site.get("lending_reservation_days") or 0),
    )


async def _all_pages(apis: Apis, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await apis.get(
            "facilities", path, params={**params, "limit": PAGE, "offset": len(items)}
        )
        items.extend(page["items"])
        if not page["items"] or len(items) >= int(page["total"]):
            return items


async def centres(apis: Apis) -> list[Centre]:
    sites = await _all_pages(apis, "/sites", {"kind": CENTRE_KIND})
    return sorted((_centre(site) for site in sites), key=lambda c: c.name.casefold())


async def centre(apis: Apis, centre_id: str) -> Centre:
    return _centre(await apis.get("facilities", f"/sites/{centre_id}"))


async def item_types(apis: Apis, centre_id: str) -> list[dict[str, Any]]:
    return await _all_pages(apis, f"/centres/{centre_id}/item-types", {})


async def catalogue(apis: Apis, found: list[Centre]) -> list[dict[str, Any]]:
    """Every item type lent out by the centres, in one list."""
    pages = await asyncio.gather(*(item_types(apis, c.centre_id) for c in found))
    return [item_type for page in pages for item_type in page]


async def item_type(apis: Apis, item_type_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("facilities", f"/item-types/{item_type_id}")
    return found


async def stock(
    apis: Apis, centre_ids: list[str], period: Period, item_type_id: str | None = None
) -> dict[str, Stock]:
    """Free and stocked units per item type of the centres for the period."""

    async def of(centre_id: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "centre_id": centre_id,
            "pickup_date": period.pickup.isoformat(),
            "return_date": period.return_date.isoformat(),
        }
        if item_type_id:
            params["item_type_id"] = item_type_id
        answer: dict[str, Any] = await apis.get("booking", "/lending/availability", params=params)
        return answer

    answers = await asyncio.gather(*(of(centre_id) for centre_id in centre_ids))
    return {
        str(t["item_type_id"]): Stock(free=int(t["units_free"]), in_stock=int(t["units_in_stock"]))
        for answer in answers
        for t in answer["item_types"]
    }


async def loans(apis: Apis, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await apis.get(
        "booking", "/loans", token=token, params={"limit": 200}
    )
    return found


async def loan(apis: Apis, token: str, loan_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/loans/{loan_id}", token=token)
    return found


async def profile(apis: Apis, token: str) -> dict[str, Any] | None:
    """The person's profile (where messages go), or None before they have entered one."""
    me = await apis.get("booking", "/me", token=token)
    found = me.get("profile") if isinstance(me, dict) else None
    return found if isinstance(found, dict) else None
