"""Staff grants from facilities' events, against the real service, database and broker: a
manager approves at their own sites only, a revoked grant is refused at once with the same
token, and the grants come back when the read model is rebuilt from the topic."""

from __future__ import annotations

from typing import Any

import pytest

from booking.catalogue.use_cases import rebuild
from tests.dates import ordinary_day
from tests.integration.booking.booking_support import at, iso
from tests.integration.booking.lending_support import Centre, in_days, loan_request, stock_centre
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"


async def request_classroom(world: World, hour: int, sub: str = "familien-dahl") -> str:
    """A resident's request for the classroom, which needs a manager's approval."""
    day = ordinary_day(9, weekday=4)
    answer = await world.service.client.post(
        "/bookings",
        json={
            "space_id": str(world.classroom),
            "start": iso(at(day, hour)),
            "end": iso(at(day, hour + 1)),
            "activity": "Strikkekurs",
            "audience": "private",
            "participants": 6,
            "contact": {"email": f"{sub}@example.org"},
        },
        headers=world.person(sub),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "requested"
    return str(answer.json()["booking_id"])


async def status(world: World, booking_id: str) -> Any:
    return await world.db.scalar("SELECT status FROM booking WHERE id = :id", id=booking_id)


async def test_a_revoked_site_is_refused_at_once_with_the_same_token(world: World):
    client = world.service.client
    first, second, third = [await request_classroom(world, hour) for hour in (17, 18, 19)]
    await world.grant("inger", sites={world.school, world.other_school})
    manager = world.person("inger")  # one token, used before and after the revocations
    me = (await client.get("/me", headers=manager)).json()
    assert sorted(me["managed_site_ids"]) == sorted([str(world.school), str(world.other_school)])
    assert len((await client.get("/bookings", headers=manager)).json()) == 3

    approved = await client.post(f"/bookings/{first}/approve", headers=manager)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "confirmed"

    # Facilities takes the school away; the other school stays hers.
    await world.set_staff_grants("inger", sites={world.other_school}, centres=set())
    refused = await client.post(f"/bookings/{second}/approve", headers=manager)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    rejected = await client.post(f"/bookings/{third}/reject", headers=manager)
    assert rejected.status_code == 403, rejected.text
    assert (await status(world, second), await status(world, third)) == ("requested", "requested")
    assert (await client.get("/bookings", headers=manager)).json() == []
    assert (await client.get("/me", headers=manager)).json()["managed_site_ids"] == [
        str(world.other_school)
    ]

    # With nothing left she is a resident like any other: the booking is not hers to see.
    await world.set_staff_grants("inger", sites=set(), centres=set())
    gone = await client.post(f"/bookings/{second}/approve", headers=manager)
    assert gone.status_code == 404, gone.text
    assert await status(world, second) == "requested"

    # Granted again, and the read model rebuilt from the topic: the last state counts.
    await world.grant("inger", sites={world.school})
    assert await world.db.execute("DELETE FROM access_grant") == 1
    assert (await client.post(f"/bookings/{second}/approve", headers=manager)).status_code == 404
    await rebuild(world.service.settings)
    grants = await world.db.rows("SELECT kind, object_id FROM access_grant")
    assert [(row.kind, row.object_id) for row in grants] == [("site", str(world.school))]
    again = await client.post(f"/bookings/{second}/approve", headers=manager)
    assert again.status_code == 200, again.text


async def test_a_revoked_centre_is_refused_at_once_with_the_same_token(world: World):
    client = world.service.client
    centre, other = Centre("BUA Strømmen"), Centre("BUA Fetsund")
    await stock_centre(world.service, world.kafka, centre, {"ski": (3, 7)})
    await stock_centre(world.service, world.kafka, other, {"telt": (1, 7)})
    family = world.person("familien-lie")
    lines = [(centre.type_id("ski"), 1)]
    loans = []
    for _ in range(2):
        reserved = await client.post(
            "/loans", json=loan_request(lines, in_days(0), in_days(1)), headers=family
        )
        assert reserved.status_code == 201, reserved.text
        loans.append(reserved.json()["loan_id"])
    staff = await world.staff(centre.centre_id, "jon")
    await world.grant("jon", centres={other.centre_id})
    assert (await client.get("/me", headers=staff)).json()["staffed_centre_ids"] == sorted(
        [str(centre.centre_id), str(other.centre_id)]
    )
    picked = await client.post(f"/loans/{loans[0]}/pickup", headers=staff)
    assert picked.status_code == 200, picked.text

    await world.set_staff_grants("jon", sites=set(), centres={other.centre_id})
    refused = await client.post(f"/loans/{loans[1]}/pickup", headers=staff)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert await world.db.scalar("SELECT status FROM loan WHERE loan_id = :id", id=loans[1]) == (
        "reserved"
    )
    assert (await client.get("/loans", headers=staff)).json() == []
