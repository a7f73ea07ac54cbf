"""Helpers for the tests of application rounds and applications: bodies derived from today."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from tests.dates import today
from tests.integration.booking.world import World


def round_body(
    spaces: list[uuid.UUID], *, opens_in: int = -1, name: str = "Sesongen", **changes: Any
) -> dict[str, Any]:
    """A round whose application period starts `opens_in` days from today (open now by
    default), with a season of about four months after allocation."""
    opens = today() + timedelta(days=opens_in)
    closes = opens + timedelta(days=14)
    allocation_until = closes + timedelta(days=14)
    results = allocation_until + timedelta(days=3)
    first = results + timedelta(days=7)
    body: dict[str, Any] = {
        "name": name,
        "applications_open": opens.isoformat(),
        "applications_close": closes.isoformat(),
        "allocation_until": allocation_until.isoformat(),
        "results_date": results.isoformat(),
        "season_first_date": first.isoformat(),
        "season_last_date": (first + timedelta(days=120)).isoformat(),
        "space_ids": [str(s) for s in spaces],
    }
    body.update(changes)
    return body


async def create_round(world: World, body: dict[str, Any]) -> dict[str, Any]:
    response = await world.service.client.post("/rounds", json=body, headers=world.admin())
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def day(text: str) -> date:
    return date.fromisoformat(text)
