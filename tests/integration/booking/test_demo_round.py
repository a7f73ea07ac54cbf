"""`seed-demo` opens the demo's application round over booking's API once the catalogue knows
the demo's school halls, and a second run leaves it as it is."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from booking.demo import seed_demo_round
from booking.demo.loader import DEMO_HALLS, SeedError, demo_hall_names, round_dates
from samspill.events import facilities as fe
from samspill.events.base import EventData
from tests.dates import today
from tests.integration.booking.booking_support import feed, site, space
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


def demo_halls() -> list[EventData]:
    """The facilities demo's schools with their halls and parts, as its events carry them."""
    events: list[EventData] = []
    for site_name, hall_name, parts in DEMO_HALLS:
        site_id, hall_id = uuid.uuid4(), uuid.uuid4()
        part_ids = [uuid.uuid4() for _ in parts]
        events.append(fe.SiteRegistered(site=site(site_id, site_name)))
        hall = space(hall_id, site_id, hall_name, capacity=100, conflicts_with=part_ids)
        events.append(fe.SpaceRegistered(space=hall))
        for part_id, part in zip(part_ids, parts, strict=True):
            state = space(
                part_id,
                site_id,
                f"{hall_name}, {part}",
                kind="hall_part",
                capacity=30,
                conflicts_with=[hall_id],
                parent_id=hall_id,
            )
            events.append(fe.SpaceRegistered(space=state))
    return events


async def test_the_round_waits_for_the_halls_and_is_made_once(world: World) -> None:
    client, admin = world.service.client, world.admin()
    # Started before booking knows the halls: it waits for facilities' events.
    seeding = asyncio.create_task(seed_demo_round(client, admin, today(), poll_s=0.2))
    await feed(world.kafka, world.db, demo_halls())
    first = await asyncio.wait_for(seeding, 30)
    assert first.created
    assert first.halls == len(demo_hall_names()) == 19
    assert "åpen til" in first.line()
    assert "is open until" in first.line()

    second = await seed_demo_round(client, admin, today())
    assert not second.created
    assert second.name == first.name
    assert "fantes fra før" in second.line()

    rounds = (await client.get("/rounds")).json()
    assert [r["name"] for r in rounds] == [first.name]
    (made,) = rounds
    dates = round_dates(today())
    assert made["state"] == "open"
    assert made["applications_close"] == dates.applications_close.isoformat()
    assert made["season_last_date"] == dates.season_last_date.isoformat()
    # The demo's halls, not the world's own school spaces of other names.
    assert {(s["site_name"], s["space_name"]) for s in made["spaces"]} == demo_hall_names()
    fetsund = [s for s in made["spaces"] if s["space_name"] == "Fetsundhallen"]
    assert len(fetsund[0]["conflicts_with"]) == 3


async def test_without_the_halls_it_gives_up_naming_them(world: World) -> None:
    with pytest.raises(SeedError, match="Kjeller skole – Gymsal"):
        await seed_demo_round(world.service.client, world.admin(), today(), wait_s=0.3, poll_s=0.1)
    assert (await world.service.client.get("/rounds")).json() == []
