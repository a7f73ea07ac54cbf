"""Giving time back: a given-back date is held for the first club on the waiting list, lapses
after the hold to the second, and under concurrent accepts (two clubs, or the holder racing
the lapse) no two clubs hold or book it; the usage figures count the given-back hours."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from booking.giving_back.jobs import pass_on
from booking.giving_back.use_cases import Holds
from booking.tables import messaging
from samspill.db import create_engine, session_factory, units_of_work
from samspill.errors import ServiceUnavailable
from tests.dates import today
from tests.integration.booking.booking_support import Database, at, next_weekday, wait_until
from tests.integration.booking.world import World
from tests.support import running_service, settings_for

pytestmark = [pytest.mark.slow]

# Long, so no hold lapses while a slow machine is still between two steps; a test that wants
# a hold to lapse shortens it (`Job.lapse_in`).
HOLD_S = 60.0


@pytest.fixture
async def world(infra, isolated_kafka, database_factory, request) -> AsyncIterator[World]:
    """The booking world with a third club."""
    url = await database_factory(f"booking_{request.node.name[:30]}")
    settings = settings_for(
        "booking",
        database_url=url,
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        give_back_hold_s=HOLD_S,
    )
    db = Database(url)
    try:
        async with running_service("booking", settings) as service:
            world = World(service=service, db=db, kafka=isolated_kafka)
            await world.build(organisations=3)
            yield world
    finally:
        await db.close()


class Job:
    """The pass-on job, run by the test against the service's database and Redis."""

    def __init__(self, world: World, redis_url: str) -> None:
        self.engine = create_engine(world.service.settings.database_url, pool_size=2)
        units = units_of_work(session_factory(self.engine), messaging, source="/samspill/booking")
        self.units = units
        self.redis = Redis.from_url(redis_url)
        self.holds = Holds(self.redis, HOLD_S)

    async def run(self) -> int:
        return await pass_on(self.units, self.holds)

    async def held(self, freed_id: str) -> bool:
        return await self.holds.holder(uuid.UUID(freed_id)) is not None

    async def lapse_in(self, freed_id: str, seconds: float) -> None:
        """Let the hold on the freed time lapse `seconds` from now."""
        assert await self.redis.pexpire(self.holds.key(uuid.UUID(freed_id)), int(seconds * 1000))

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()


async def _setup(world: World) -> tuple[dict[str, Any], Any]:
    """Club 0 books a Wednesday evening in the gym; clubs 1 and 2 wait for it, 1 first."""
    client = world.service.client
    giver, first, second = world.organisations
    day = next_weekday(today() + timedelta(days=10), 2)
    booked = await client.post(
        "/bookings",
        json={
            "space_id": str(world.other_gym),
            "organisation_id": str(giver),
            "start": at(day, 18).isoformat(),
            "end": at(day, 20).isoformat(),
            "activity": "Volleyball",
            "audience": "non_profit",
            "participants": 12,
        },
        headers=world.member(giver),
    )
    assert booked.status_code == 201, booked.text
    for club in (first, second):
        joined = await client.post(
            "/waiting-list",
            json={
                "organisation_id": str(club),
                "space_id": str(world.other_gym),
                "weekday": 2,
                "start": "18:00",
                "end": "20:00",
                "activity": "Basket",
                "age_group": "youth",
                "group_size": 15,
            },
            headers=world.member(club),
        )
        assert joined.status_code == 201, joined.text
    return booked.json(), day


async def _offers(world: World, club: uuid.UUID) -> list[dict[str, Any]]:
    response = await world.service.client.get(
        f"/organisations/{club}/given-back-offers", headers=world.member(club)
    )
    assert response.status_code == 200, response.text
    return list(response.json())


async def _accept(world: World, club: uuid.UUID, offer_id: str) -> int:
    response = await world.service.client.post(
        f"/waiting-offers/{offer_id}/accept", headers=world.member(club)
    )
    assert response.status_code in (200, 409), response.text
    return response.status_code


async def _active_on(world: World, day: Any) -> list[Any]:
    return await world.db.rows(
        "SELECT organisation_id FROM booking WHERE space_id = :space "
        "AND status IN ('requested', 'confirmed') AND start = :start",
        space=world.other_gym,
        start=at(day, 18),
    )


async def test_a_given_back_date_goes_to_the_first_waiting_club_then_the_second(
    world: World, infra
) -> None:
    client = world.service.client
    giver, first, second = world.organisations
    booking, day = await _setup(world)

    # Bad input: another club's booking, a series' rest from a past date; nothing changes.
    theirs = await client.post(
        f"/bookings/{booking['booking_id']}/give-back", headers=world.member(first)
    )
    assert theirs.status_code in (403, 404), theirs.text
    assert await world.db.scalar("SELECT count(*) FROM freed_time") == 0

    given = await client.post(
        f"/bookings/{booking['booking_id']}/give-back", headers=world.member(giver)
    )
    assert given.status_code == 200, given.text
    freed = given.json()
    assert freed["status"] == "offered"
    again = await client.post(
        f"/bookings/{booking['booking_id']}/give-back", headers=world.member(giver)
    )
    assert again.status_code == 409, again.text

    (offer_1,) = await _offers(world, first)
    assert offer_1["status"] == "open"
    assert offer_1["single_date"]
    assert await _offers(world, second) == []

    # While the first club holds it, no one else can book it.
    taken = await client.post(
        "/bookings",
        json={
            "space_id": str(world.other_gym),
            "organisation_id": str(second),
            "start": at(day, 18).isoformat(),
            "end": at(day, 19).isoformat(),
            "activity": "Basket",
            "audience": "non_profit",
            "participants": 10,
        },
        headers=world.member(second),
    )
    assert taken.status_code == 409, taken.text

    job = Job(world, infra.redis.url)
    try:
        assert await job.run() == 0  # still held
        await job.lapse_in(freed["freed_id"], 0.1)
        await wait_until(
            lambda: _not(job.held(freed["freed_id"])), timeout=10, what="the hold to lapse"
        )
        assert await job.run() == 1
    finally:
        await job.close()

    (lapsed,) = await _offers(world, first)
    assert lapsed["status"] == "expired"
    (offer_2,) = await _offers(world, second)
    assert offer_2["status"] == "open"

    # Both clubs accept at once: only the holder books it.
    codes = await asyncio.gather(
        _accept(world, first, offer_1["id"]), _accept(world, second, offer_2["id"])
    )
    assert sorted(codes) == [200, 409]
    assert codes[1] == 200
    assert await _accept(world, second, offer_2["id"]) == 409  # twice
    assert [row.organisation_id for row in await _active_on(world, day)] == [second]

    usage = await client.get(
        "/usage",
        params={"from": str(day), "to": str(day), "by": "organisation"},
        headers=world.service.token("admin", admin=True),
    )
    assert usage.status_code == 200, usage.text
    rows = {row["key"]: row for row in usage.json()["groups"]}
    assert rows[str(giver)]["given_back_minutes"] == 120
    assert rows[str(second)]["given_back_minutes"] == 0


async def _not(check: Any) -> bool:
    return not await check


async def test_the_holder_racing_the_lapse_never_leaves_two_clubs_with_it(
    world: World, infra
) -> None:
    client = world.service.client
    giver, first, second = world.organisations
    booking, day = await _setup(world)
    given = await client.post(
        f"/bookings/{booking['booking_id']}/give-back", headers=world.member(giver)
    )
    assert given.status_code == 200, given.text
    freed_id = given.json()["freed_id"]
    (offer_1,) = await _offers(world, first)

    job = Job(world, infra.redis.url)
    try:

        async def lapse() -> None:
            await wait_until(lambda: _not(job.held(freed_id)), timeout=10, what="the lapse")
            await job.run()

        await job.lapse_in(freed_id, 1.0)
        await asyncio.sleep(0.9)
        code, _ = await asyncio.gather(_accept(world, first, offer_1["id"]), lapse())
        await job.run()
    finally:
        await job.close()

    active = [row.organisation_id for row in await _active_on(world, day)]
    open_offers = await world.db.scalar(
        "SELECT count(*) FROM given_back_offer WHERE status = 'open'"
    )
    accepted = await world.db.scalar(
        "SELECT count(*) FROM given_back_offer WHERE status = 'accepted'"
    )
    if code == 200:
        assert active == [first]
        assert (accepted, open_offers) == (1, 0)
        assert await _offers(world, second) == []
    else:
        assert active == []
        assert (accepted, open_offers) == (0, 1)
        (offer_2,) = await _offers(world, second)
        assert offer_2["status"] == "open"


async def test_a_series_rest_from_a_past_date_is_refused(world: World) -> None:
    client = world.service.client
    giver = world.organisations[0]
    first = next_weekday(today() + timedelta(days=7), 1)
    created = await client.post(
        "/booking-series",
        json={
            "space_id": str(world.other_gym),
            "organisation_id": str(giver),
            "activity": "Futsal",
            "audience": "non_profit",
            "participants": 20,
            "weekday": 1,
            "start_time": "18:00",
            "end_time": "19:00",
            "first_date": str(first),
            "last_date": str(first + timedelta(weeks=3)),
        },
        headers=world.member(giver),
    )
    assert created.status_code == 201, created.text
    series_id = created.json()["id"]
    past = await client.post(
        f"/booking-series/{series_id}/give-back",
        json={"from_date": str(today() - timedelta(days=1))},
        headers=world.member(giver),
    )
    assert past.status_code == 409, past.text
    assert await world.db.scalar("SELECT count(*) FROM freed_time") == 0
    rest = await client.post(
        f"/booking-series/{series_id}/give-back",
        json={"from_date": str(first + timedelta(weeks=2))},
        headers=world.member(giver),
    )
    assert rest.status_code == 200, rest.text
    assert len(rest.json()["cancelled"]) == 2
    assert rest.json()["status"] == "released"  # no one waits for Tuesdays


async def test_an_unreachable_hold_store_is_a_503_not_a_500() -> None:
    """Redis down: the hold cannot be taken or read, and the caller is told to retry."""
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    holds = Holds(unreachable, hold_s=60)
    try:
        with pytest.raises(ServiceUnavailable):
            await holds.take(uuid.uuid4(), uuid.uuid4())
        with pytest.raises(ServiceUnavailable):
            await holds.holder(uuid.uuid4())
    finally:
        await unreachable.aclose()
