"""Reads for the desk: whether the person staffs the centre (booking's `/me`), the centre's
loans (booking's `/loans`, which shows staff their centres' loans), and its catalogue and
units (facilities)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from portal.apis import Apis
from portal.domain.desk import DeskDay, desk_day, tomorrow

PAGE = 100
LIST_LIMIT = 200


async def staffs(apis: Apis, token: str, centre_id: str) -> bool:
    """The person works at the centre (a staff grant) or is a municipal admin."""
    me = await apis.get("booking", "/me", token=token)
    centres = {str(i) for i in me.get("staffed_centre_ids", [])}
    return bool(me.get("is_admin")) or centre_id in centres


async def _loans(apis: Apis, token: str, centre_id: str, **params: Any) -> list[dict[str, Any]]:
    query = {"centre_id": centre_id, "limit": LIST_LIMIT, **params}
    found: list[dict[str, Any]] = await apis.get("booking", "/loans", token=token, params=query)
    return found


async def day(apis: Apis, token: str, centre_id: str, today: date) -> DeskDay:
    first, last = today.isoformat(), tomorrow(today).isoformat()
    reserved, out, overdue = await asyncio.gather(
        _loans(apis, token, centre_id, status="reserved", pickup_from=first, pickup_to=last),
        _loans(apis, token, centre_id, status="picked_up", return_from=first, return_to=last),
        _loans(apis, token, centre_id, status="overdue"),
    )
    return desk_day(today, reserved, out, overdue)


async def search(apis: Apis, token: str, centre_id: str, text: str) -> list[dict[str, Any]]:
    return await _loans(apis, token, centre_id, q=text)


async def loan(apis: Apis, token: str, loan_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/loans/{loan_id}", token=token)
    return found


async def _all_pages(
    apis: Apis, path: str, token: str | None, params: dict[str, Any]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await apis.get(
            "facilities",
            path,
            token=token,
            params={**params, "limit": PAGE, "offset": len(items)},
        )
        items.extend(page["items"])
        if not page["items"] or len(items) >= int(page["total"]):
            return items


async def item_types(apis: Apis, centre_id: str) -> list[dict[str, Any]]:
    """Every item type of the centre, retired ones too, by name and size."""
    found = await _all_pages(
        apis, f"/centres/{centre_id}/item-types", None, {"include_retired": "true"}
    )
    return sorted(
        found,
        key=lambda t: (str(t["name"]).casefold(), str(t.get("variant") or "").casefold()),
    )


async def item_type(apis: Apis, item_type_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("facilities", f"/item-types/{item_type_id}")
    return found


async def units(apis: Apis, token: str, item_type_id: str) -> list[dict[str, Any]]:
    found = await _all_pages(apis, f"/item-types/{item_type_id}/units", token, {})
    return sorted(found, key=lambda u: str(u["label"]).casefold())


async def units_of_types(
    apis: Apis, token: str, item_type_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    found = await asyncio.gather(*(units(apis, token, i) for i in item_type_ids))
    return dict(zip(item_type_ids, found, strict=True))
