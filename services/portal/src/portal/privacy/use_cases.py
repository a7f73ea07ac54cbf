"""What the privacy forms ask booking to do: erase the person who asks, or a person for a
written request. Booking erases its own data and publishes `PersonErased`; every other
service applies that event to its data and notifications confirms it to the person."""

from __future__ import annotations

from typing import Any

from portal.apis import Apis
from portal.dependencies import Person


async def erase_me(apis: Apis, person: Person) -> dict[str, Any]:
    answer: dict[str, Any] = await apis.post("booking", "/me/erasure", token=person.access_token)
    return answer or {}


async def erase_person(apis: Apis, token: str, person_id: str, reason: str) -> dict[str, Any]:
    answer: dict[str, Any] = await apis.post(
        "booking", f"/people/{person_id}/erasure", token=token, json={"reason": reason}
    )
    return answer or {}
