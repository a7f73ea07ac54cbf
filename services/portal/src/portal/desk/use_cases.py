"""What the desk's forms ask of the APIs: hand a loan out and take it back (booking), keep the
centre's item types and units (facilities)."""

from __future__ import annotations

from typing import Any

from portal.apis import Apis


async def pick_up(apis: Apis, token: str, loan_id: str, swaps: list[dict[str, str]]) -> None:
    body = {"swaps": swaps} if swaps else None
    await apis.post("booking", f"/loans/{loan_id}/pickup", token=token, json=body)


async def take_back(
    apis: Apis, token: str, loan_id: str, damaged_unit_ids: list[str], notes: str
) -> None:
    body: dict[str, Any] = {"damaged_unit_ids": damaged_unit_ids}
    if notes:
        body["damage_notes"] = notes
    await apis.post("booking", f"/loans/{loan_id}/return", token=token, json=body)


async def create_item_type(apis: Apis, token: str, centre_id: str, body: dict[str, Any]) -> str:
    made = await apis.post("facilities", f"/centres/{centre_id}/item-types", token=token, json=body)
    return str(made["item_type_id"])


async def update_item_type(apis: Apis, token: str, item_type_id: str, body: dict[str, Any]) -> None:
    await apis.patch("facilities", f"/item-types/{item_type_id}", token=token, json=body)


async def retire_item_type(apis: Apis, token: str, item_type_id: str) -> None:
    await apis.delete("facilities", f"/item-types/{item_type_id}", token=token)


async def add_unit(apis: Apis, token: str, item_type_id: str, body: dict[str, Any]) -> None:
    await apis.post("facilities", f"/item-types/{item_type_id}/units", token=token, json=body)


async def change_unit(apis: Apis, token: str, unit_id: str, body: dict[str, Any]) -> None:
    await apis.patch("facilities", f"/units/{unit_id}", token=token, json=body)
