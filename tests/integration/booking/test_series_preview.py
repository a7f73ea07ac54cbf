"""A series' dry run: the same dates booked and skipped as the real request, nothing stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.integration.booking.booking_support import at, closure
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


def _series(world: World, first: date, last: date, **changes: Any) -> dict[str, Any]:
    return {
        "space_id": str(world.hall),
        "organisation_id": str(world.organisations[0]),
        "activity": "Futsal",
        "audience": "non_profit",
        "participants": 30,
        "weekday": 1,
        "start_time": "18:00",
        "end_time": "19:30",
        "first_date": str(first),
        "last_date": str(last),
        **changes,
    }


async def _stored(world: World) -> tuple[int, int, int]:
    return (
        await world.db.scalar("SELECT count(*) FROM booking"),
        await world.db.scalar("SELECT count(*) FROM booking_series"),
        await world.db.scalar("SELECT count(*) FROM outbox"),
    )


async def test_the_preview_lists_what_the_series_would_book_and_stores_nothing(world: World):
    year = datetime.now(UTC).year + 1
    autumn_break = date.fromisocalendar(year, 40, 1)
    await world.closures(
        closure(
            world.school,
            at(autumn_break, 0),
            at(autumn_break + timedelta(days=7), 0),
            reason="holiday",
        )
    )
    first = date.fromisocalendar(year, 34, 2)
    last = date.fromisocalendar(year, 50, 2)
    client, member = world.service.client, world.member(world.organisations[0])
    other = world.organisations[1]
    taken = await client.post(
        "/bookings",
        json={
            "space_id": str(world.part_a),
            "organisation_id": str(other),
            "start": at(first + timedelta(weeks=2), 19).isoformat(),
            "end": at(first + timedelta(weeks=2), 21).isoformat(),
            "activity": "Volleyball",
            "audience": "non_profit",
            "participants": 12,
        },
        headers=world.member(other),
    )
    assert taken.status_code == 201, taken.text
    before = await _stored(world)

    preview = await client.post(
        "/booking-series/preview", json=_series(world, first, last), headers=member
    )

    assert preview.status_code == 200, preview.text
    planned = preview.json()
    assert {s["date"]: s["reason"] for s in planned["skipped"]} == {
        str(first + timedelta(weeks=2)): "conflict",
        str(autumn_break + timedelta(days=1)): "closure",
    }
    assert all(s["detail"] and s["detail_nb"] for s in planned["skipped"])
    assert len(planned["created"]) == 17 - 2
    assert {o["status"] for o in planned["created"]} == {"confirmed"}
    assert {o["local_start"][-5:] for o in planned["created"]} == {"18:00"}
    assert all(o["price_ore"] >= 0 and o["price_explanation"] for o in planned["created"])
    assert await _stored(world) == before

    booked = await client.post("/booking-series", json=_series(world, first, last), headers=member)
    assert booked.status_code == 201, booked.text
    series = booked.json()
    assert [b["start"] for b in series["created"]] == [o["start"] for o in planned["created"]]
    assert [b["price_ore"] for b in series["created"]] == [
        o["price_ore"] for o in planned["created"]
    ]
    assert series["skipped"] == planned["skipped"]


async def test_the_preview_refuses_as_the_series_would(world: World):
    year = datetime.now(UTC).year + 1
    first = date.fromisocalendar(year, 34, 2)
    client, member = world.service.client, world.member(world.organisations[0])
    before = await _stored(world)

    backwards = await client.post(
        "/booking-series/preview",
        json=_series(world, first, first - timedelta(weeks=1)),
        headers=member,
    )
    assert backwards.status_code == 422, backwards.text
    assert backwards.headers["content-type"].startswith("application/problem+json")
    assert backwards.json()["detail_nb"] == "Siste dato kan ikke være før første dato."

    outsider = await client.post(
        "/booking-series/preview",
        json=_series(world, first, first + timedelta(weeks=4)),
        headers=world.person("someone-else"),
    )
    assert outsider.status_code == 404, outsider.text
    assert await _stored(world) == before


async def test_a_preview_with_no_bookable_date_lists_every_date_as_skipped(world: World):
    year = datetime.now(UTC).year + 1
    monday = date.fromisocalendar(year, 40, 1)
    await world.closures(
        closure(world.school, at(monday, 0), at(monday + timedelta(days=7), 0), reason="holiday")
    )
    client, member = world.service.client, world.member(world.organisations[0])
    tuesday = monday + timedelta(days=1)

    preview = await client.post(
        "/booking-series/preview", json=_series(world, tuesday, tuesday), headers=member
    )

    assert preview.status_code == 200, preview.text
    assert preview.json()["created"] == []
    assert [s["reason"] for s in preview.json()["skipped"]] == ["closure"]
    refused = await client.post(
        "/booking-series", json=_series(world, tuesday, tuesday), headers=member
    )
    assert refused.status_code == 422, refused.text
