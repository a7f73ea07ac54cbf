"""`/availability` answered from days kept in Redis, against the real database, broker and
Redis: the answer is byte for byte the one computed for the whole period straight from the
read model, before and after the days are kept; every change (a booking, a cancellation, a
closure, a window, an application round) shows in the next answer; the time passing shows
without any change; and with Redis away the answer is the same."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from booking.availability.queries import AvailabilityQuery
from samspill.clock import utc_now
from samspill.events import facilities as fe
from tests.dates import next_clock_change, ordinary_day
from tests.integration.booking.availability_support import whole_period_answer
from tests.integration.booking.booking_support import Database, at, closure, feed, iso, site
from tests.integration.booking.rounds_support import create_round, day, round_body
from tests.integration.booking.world import World
from tests.support import running_service, settings_for

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


def week_of(first: date, **filters: Any) -> dict[str, Any]:
    return {"from": iso(at(first, 0)), "to": iso(at(first + timedelta(days=7), 0)), **filters}


def as_query(params: dict[str, Any]) -> AvailabilityQuery:
    return AvailabilityQuery(
        start=datetime.fromisoformat(params["from"]),
        end=datetime.fromisoformat(params["to"]),
        space_id=uuid.UUID(params["space_id"]) if "space_id" in params else None,
        site_id=uuid.UUID(params["site_id"]) if "site_id" in params else None,
        district=params.get("district"),
        min_minutes=params.get("min_minutes", 0),
    )


async def answers_as_computed_directly(world: World, params: dict[str, Any]) -> bytes:
    """Asks twice (the days computed, then kept) and checks both against the direct answer."""
    now = datetime.now(UTC)
    expected = await whole_period_answer(world.db.engine, as_query(params), now)
    for _ in range(2):
        answer = await world.service.client.get("/availability", params=params)
        assert answer.status_code == 200, answer.text
        assert answer.content == expected
    return answer.content


def booking_body(world: World, space: uuid.UUID, on: date, start: int, end: int) -> dict[str, Any]:
    return {
        "space_id": str(space),
        "organisation_id": str(world.organisations[0]),
        "start": iso(at(on, start)),
        "end": iso(at(on, end)),
        "activity": "Basketballtrening",
        "audience": "non_profit",
        "participants": 10,
    }


def night_windows(world: World, first: date, last: date) -> list[fe.WindowState]:
    """The hall late on Fridays and into Saturday night: time across midnight."""

    def window(weekday: int, start: time, end: time) -> fe.WindowState:
        return fe.WindowState(
            window_id=uuid.uuid4(),
            space_id=world.hall,
            site_id=world.school,
            kind="weekly",
            weekdays=[weekday],
            start_time=start,
            end_time=end,
            valid_from=first,
            valid_to=last,
        )

    return [window(4, time(22), time(0)), window(5, time(0), time(3))]


async def test_kept_days_give_the_answer_computed_for_the_whole_period(world: World) -> None:
    rng = random.Random(14)
    first = ordinary_day(8, weekday=0)
    switch = next_clock_change(8)
    events = [fe.WindowReleased(window=w) for w in night_windows(world, first, switch)]
    await feed(world.kafka, world.db, events)
    await world.closures(
        closure(world.school, at(first + timedelta(days=2), 19), at(first + timedelta(days=2), 20)),
        closure(
            world.school, at(first, 20), at(first + timedelta(days=1), 18), space_id=world.part_a
        ),
    )
    member = world.member(world.organisations[0])
    spaces = [world.hall, world.part_a, world.part_b, world.other_gym]
    for _ in range(14):
        on = first + timedelta(days=rng.randrange(7))
        start = rng.randrange(17, 21)
        body = booking_body(world, rng.choice(spaces), on, start, start + rng.choice((1, 2)))
        answer = await world.service.client.post("/bookings", json=body, headers=member)
        assert answer.status_code in (201, 409, 422), answer.text

    await answers_as_computed_directly(world, week_of(first))
    await answers_as_computed_directly(world, week_of(first, site_id=str(world.school)))
    await answers_as_computed_directly(world, week_of(first, min_minutes=90))
    # A period that starts and ends within days, and the week of a daylight-saving switch.
    await answers_as_computed_directly(
        world,
        {"from": iso(at(first, 18, 30)), "to": iso(at(first + timedelta(days=4), 21))},
    )
    await answers_as_computed_directly(world, week_of(switch - timedelta(days=3)))


async def test_each_change_shows_in_the_next_answer(world: World) -> None:
    on = ordinary_day(8, weekday=1)
    params = week_of(on, site_id=str(world.school))
    before = await answers_as_computed_directly(world, params)
    member = world.member(world.organisations[0])

    # A booking of a part: the part and the whole hall lose the time.
    booked = await world.service.client.post(
        "/bookings", json=booking_body(world, world.part_a, on, 18, 20), headers=member
    )
    assert booked.status_code == 201, booked.text
    with_booking = await answers_as_computed_directly(world, params)
    assert with_booking != before

    # Its cancellation gives the time back.
    cancelled = await world.service.client.post(
        f"/bookings/{booked.json()['booking_id']}/cancel", headers=member
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await answers_as_computed_directly(world, params) == before

    # A closure of the site.
    await world.closures(closure(world.school, at(on, 17), at(on, 19)))
    with_closure = await answers_as_computed_directly(world, params)
    assert with_closure != before

    # A new window: released time grows.
    late = night_windows(world, on, on + timedelta(days=7))
    await feed(world.kafka, world.db, [fe.WindowReleased(window=late[0])])
    with_window = await answers_as_computed_directly(world, params)
    assert with_window != with_closure

    # The site's name, which the answer carries.
    renamed = site(world.school, "Volla skole og kulturhus")
    await feed(world.kafka, world.db, [fe.SiteUpdated(site=renamed)])
    assert b"Volla skole og kulturhus" in await answers_as_computed_directly(world, params)

    # An open round keeps its season evenings from direct booking.
    body = round_body([world.hall], evening_start="17:00", evening_end="21:00")
    season = week_of(
        ordinary_day(0, start=day(body["season_first_date"])), site_id=str(world.school)
    )
    open_season = await answers_as_computed_directly(world, season)
    await create_round(world, body)
    assert await answers_as_computed_directly(world, season) != open_season


async def test_the_time_passing_shows_without_any_change(world: World) -> None:
    on = ordinary_day(8, weekday=2)
    params = {
        "from": iso(at(on, 0)),
        "to": iso(at(on + timedelta(days=1), 0)),
        "space_id": str(world.other_gym),
    }

    async def slots_at(now: datetime) -> list[tuple[str, str]]:
        world.service.app.dependency_overrides[utc_now] = lambda: now
        try:
            answer = await world.service.client.get("/availability", params=params)
        finally:
            world.service.app.dependency_overrides.pop(utc_now)
        assert answer.status_code == 200, answer.text
        assert answer.content == await whole_period_answer(world.db.engine, as_query(params), now)
        return [(s["local_start"], s["local_end"]) for s in answer.json()[0]["slots"]]

    assert await slots_at(at(on, 9)) == [(f"{on}T17:00", f"{on}T22:00")]
    # The same kept day, an hour and a half later: the time passed is no longer free.
    assert await slots_at(at(on, 18, 40)) == [(f"{on}T19:00", f"{on}T22:00")]
    assert await slots_at(at(on, 21, 10)) == []


@pytest.fixture
async def world_without_redis(
    infra, isolated_kafka, database_factory, request
) -> AsyncIterator[World]:
    url = await database_factory(f"booking_{request.node.name[:30]}")
    settings = settings_for(
        "booking", database_url=url, kafka=isolated_kafka, redis_url="redis://127.0.0.1:1/0"
    )
    db = Database(url)
    try:
        async with running_service("booking", settings) as service:
            world = World(service=service, db=db, kafka=isolated_kafka)
            await world.build()
            yield world
    finally:
        await db.close()


async def test_with_redis_away_the_answer_is_computed_from_the_database(
    world_without_redis: World,
) -> None:
    world = world_without_redis
    on = ordinary_day(8, weekday=3)
    booked = await world.service.client.post(
        "/bookings",
        json=booking_body(world, world.hall, on, 18, 19),
        headers=world.member(world.organisations[0]),
    )
    assert booked.status_code == 201, booked.text
    await answers_as_computed_directly(world, week_of(on))
