"""A rejected request keeps the manager's reason, so the organisation can read why."""

from __future__ import annotations

import pytest

from tests.integration.booking.test_people_grants import request_classroom
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow]


async def test_the_reason_of_a_rejection_is_kept_on_the_booking(world: World):
    client = world.service.client
    asked, other = await request_classroom(world, 17), await request_classroom(world, 18)
    await world.grant("inger", sites={world.school})
    manager = world.person("inger")
    reason = "Rommet brukes til foreldremøte den kvelden."

    rejected = await client.post(
        f"/bookings/{asked}/reject", json={"reason": reason}, headers=manager
    )
    without = await client.post(f"/bookings/{other}/reject", headers=manager)

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == reason
    seen = await client.get(f"/bookings/{asked}", headers=world.person("familien-dahl"))
    assert seen.json()["rejection_reason"] == reason
    assert without.json()["rejection_reason"] is None
