"""What the application pages send to booking: an application (created or replaced), its
withdrawal, an answer to a waiting-list offer, a team and a series handed to a team.
Refusals come back as `ApiRefused`."""

from __future__ import annotations

import uuid
from typing import Any

from portal.apis import Apis


async def save_application(
    apis: Apis, token: str, round_id: uuid.UUID, organisation_id: uuid.UUID, body: dict[str, Any]
) -> dict[str, Any]:
    path = f"/rounds/{round_id}/applications/{organisation_id}"
    saved: dict[str, Any] = await apis.put("booking", path, token=token, json=body)
    return saved


async def withdraw_application(
    apis: Apis, token: str, round_id: uuid.UUID, organisation_id: uuid.UUID
) -> None:
    path = f"/rounds/{round_id}/applications/{organisation_id}/withdraw"
    await apis.post("booking", path, token=token)


async def answer_offer(apis: Apis, token: str, offer_id: uuid.UUID, *, accept: bool) -> Any:
    """Accept (booking makes the series from the offer's first date) or decline (the next
    section on the waiting list that fits gets the offer)."""
    verb = "accept" if accept else "decline"
    return await apis.post("booking", f"/waiting-offers/{offer_id}/{verb}", token=token)


async def add_team(
    apis: Apis, token: str, organisation_id: uuid.UUID, body: dict[str, Any]
) -> dict[str, Any]:
    path = f"/organisations/{organisation_id}/teams"
    created: dict[str, Any] = await apis.post("booking", path, token=token, json=body)
    return created


async def remove_team(
    apis: Apis, token: str, organisation_id: uuid.UUID, team_id: uuid.UUID
) -> None:
    await apis.delete("booking", f"/organisations/{organisation_id}/teams/{team_id}", token=token)


async def hand_series_to_team(
    apis: Apis, token: str, series_id: uuid.UUID, team_id: uuid.UUID | None
) -> None:
    body = {"team_id": str(team_id) if team_id else None}
    await apis.put("booking", f"/booking-series/{series_id}/team", token=token, json=body)
