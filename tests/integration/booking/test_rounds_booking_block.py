"""While a round is open, in allocation or handled, its season evenings on its spaces (and on
the spaces that cannot be used with them) cannot be booked directly."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.dates import ordinary_day
from tests.integration.booking.booking_support import at
from tests.integration.booking.rounds_support import create_round, day, round_body
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


def booking(world: World, space: uuid.UUID, on: date, start: int, end: int) -> dict[str, Any]:
    return {
        "space_id": str(space),
        "organisation_id": str(world.organisations[0]),
        "start": at(on, start).isoformat(),
        "end": at(on, end).isoformat(),
        "activity": "Innebandy",
        "audience": "non_profit",
        "participants": 12,
    }


def series(world: World, space: uuid.UUID, weekday: int, first: date, last: date) -> dict[str, Any]:
    return {
        "space_id": str(space),
        "organisation_id": str(world.organisations[0]),
        "activity": "Futsal",
        "audience": "non_profit",
        "participants": 20,
        "weekday": weekday,
        "start_time": "18:00",
        "end_time": "19:30",
        "first_date": str(first),
        "last_date": str(last),
    }


async def test_season_evenings_are_kept_for_the_round(world: World) -> None:
    client, member = world.service.client, world.member(world.organisations[0])
    body = round_body([world.hall], evening_start="17:00", evening_end="21:00")
    created = await create_round(world, body)
    season_first, season_last = day(body["season_first_date"]), day(body["season_last_date"])
    weekday_in_season = ordinary_day(0, start=season_first)
    saturday_in_season = ordinary_day(0, weekday=5, start=season_first)
    before_season = ordinary_day(3)
    assert before_season < season_first

    async def post(path: str, json: dict[str, Any]) -> Any:
        return await client.post(path, json=json, headers=member)

    # The part of the hall in the round's evening in the season: refused, naming the round.
    refused = await post("/bookings", booking(world, world.part_a, weekday_in_season, 18, 20))
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code" if "code" in problem else "type"].endswith("round-reserved")
    assert problem["round"] == {"round_id": created["id"], "name": "Sesongen"}
    assert "Sesongen" in problem["detail_nb"]
    # Touching the evening's end is enough to be refused; after it is free.
    late = await post("/bookings", booking(world, world.hall, weekday_in_season, 20, 22))
    assert late.status_code == 409
    after = await post("/bookings", booking(world, world.hall, weekday_in_season, 21, 22))
    assert after.status_code == 201, after.text
    # Another gym, a Saturday, or a day before the season: fine.
    for space, on in (
        (world.other_gym, weekday_in_season),
        (world.part_b, saturday_in_season),
        (world.hall, before_season),
    ):
        fine = await post("/bookings", booking(world, space, on, 18, 20))
        assert fine.status_code == 201, (space, on, fine.text)

    # A series with any week in the season evenings is refused, preview included.
    tuesday = 1
    into_season = series(
        world, world.hall, tuesday, before_season, season_first + timedelta(days=30)
    )
    for path in ("/booking-series", "/booking-series/preview"):
        answer = await post(path, into_season)
        assert answer.status_code == 409, (path, answer.text)
        assert answer.json()["round"]["round_id"] == created["id"]
    saturdays = series(world, world.part_a, 5, season_first, season_last)
    assert (await post("/booking-series/preview", saturdays)).status_code == 200
    before = series(world, world.hall, tuesday, before_season, season_first - timedelta(days=1))
    assert (await post("/booking-series/preview", before)).status_code == 200

    # Once the results are sent the round no longer keeps the time.
    await world.db.execute(
        "UPDATE application_round SET state = 'results_sent' WHERE id = :id", id=created["id"]
    )
    now_free = await post("/bookings", booking(world, world.part_a, weekday_in_season, 18, 20))
    assert now_free.status_code == 201, now_free.text


async def test_an_upcoming_round_keeps_nothing_yet(world: World) -> None:
    body = round_body([world.hall], opens_in=3)
    assert (await create_round(world, body))["state"] == "upcoming"
    on = ordinary_day(0, start=day(body["season_first_date"]))
    answer = await world.service.client.post(
        "/bookings",
        json=booking(world, world.hall, on, 18, 20),
        headers=world.member(world.organisations[0]),
    )
    assert answer.status_code == 201, answer.text


async def test_availability_shows_the_season_evenings_as_closed(world: World) -> None:
    """The hall search offers no time the round keeps: the evening is closed, not free."""
    client = world.service.client
    body = round_body([world.hall], evening_start="17:00", evening_end="21:00")
    await create_round(world, body)
    weekday_in_season = ordinary_day(0, start=day(body["season_first_date"]))
    params = {
        "from": at(weekday_in_season, 0).isoformat(),
        "to": at(weekday_in_season + timedelta(days=1), 0).isoformat(),
    }
    found = await client.get("/availability", params=params)
    assert found.status_code == 200, found.text
    evening = (at(weekday_in_season, 17), at(weekday_in_season, 21))
    by_space = {uuid.UUID(space["space_id"]): space for space in found.json()}
    for space_id in (world.hall, world.part_a):  # the round's hall and a part of it
        space = by_space[space_id]
        for slot in space["slots"]:
            start, end = (datetime.fromisoformat(slot[k]) for k in ("start", "end"))
            assert end <= evening[0] or start >= evening[1], (space_id, slot)
        closed = [
            (datetime.fromisoformat(c["start"]), datetime.fromisoformat(c["end"]))
            for c in space["closed"]
        ]
        assert any(s <= evening[0] and evening[1] <= e for s, e in closed), space["closed"]
    other = by_space[world.other_gym]
    assert any(
        datetime.fromisoformat(slot["start"]) < evening[1]
        and datetime.fromisoformat(slot["end"]) > evening[0]
        for slot in other["slots"]
    ), other["slots"]
