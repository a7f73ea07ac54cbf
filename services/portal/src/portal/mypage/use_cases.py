"""What My page's forms ask the APIs to do for the logged-in person."""

from __future__ import annotations

import uuid
from typing import Any

from portal.apis import Apis
from portal.dependencies import Person


async def save_profile(apis: Apis, person: Person, body: dict[str, Any]) -> dict[str, Any]:
    saved: dict[str, Any] = await apis.put(
        "booking", "/me/profile", token=person.access_token, json=body
    )
    return saved


async def choose_channel(apis: Apis, person: Person, channel: str, language: str) -> None:
    """The person's own preference; notifications refuses SMS where it cannot send one."""
    await apis.put(
        "notifications",
        "/preferences/resident/me",
        token=person.access_token,
        json={"channel": channel, "language": language},
    )


async def make_feed_token(
    apis: Apis, person: Person, kind: str, organisation_id: uuid.UUID | None
) -> dict[str, Any]:
    """A new private feed; its token is in this answer only (the service keeps a hash)."""
    body: dict[str, Any] = {"kind": kind}
    if organisation_id is not None:
        body["organisation_id"] = str(organisation_id)
    issued: dict[str, Any] = await apis.post(
        "notifications", "/feed-tokens", token=person.access_token, json=body
    )
    return issued


async def stop_feed_token(apis: Apis, person: Person, token_id: uuid.UUID) -> None:
    await apis.delete("notifications", f"/feed-tokens/{token_id}", token=person.access_token)
