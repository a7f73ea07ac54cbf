"""Hall bookings against the real database, broker and Redis: no double booking, rules, access."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from tests.dates import ordinary_day, today
from tests.integration.booking.booking_support import at, closure, iso, next_weekday
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

PROBLEM = "application/problem+json"


def booking_body(
    space_id: uuid.UUID, start: datetime, end: datetime, organisation: uuid.UUID | None, **extra
) -> dict[str, object]:
    return {
        "space_id": str(space_id),
        "organisation_id": None if organisation is None else str(organisation),
        "start": iso(start),
        "end": iso(end),
        "activity": "Basketballtrening",
        "audience": "non_profit",
        "participants": 20,
        **extra,
    }


async def test_fifty_concurrent_requests_for_a_divisible_hall_give_one_booking(world: World):
    organisations = [await world.register(f"Klubb {n}", 100 + n) for n in range(10)]
    day = ordinary_day(8, weekday=1)
    start, end = at(day, 18), at(day, 20)
    requests = [
        world.service.client.post(
            "/bookings",
            json=booking_body(
                world.hall if n % 2 else world.part_a, start, end, organisations[n % 10]
            ),
            headers=world.member(organisations[n % 10]),
        )
        for n in range(50)
    ]
    responses = await asyncio.gather(*requests)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 49, [r.text for r in responses if r.status_code >= 500]
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert winner["status"] == "confirmed"
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"].startswith(PROBLEM)
        clash = refused.json()["conflicting_interval"]
        assert datetime.fromisoformat(clash["start"]) == start
        assert datetime.fromisoformat(clash["end"]) == end
    assert await world.db.scalar("SELECT count(*) FROM booking") == 1
    overlaps = await world.db.scalar(
        """SELECT count(*) FROM booking_occupancy a JOIN booking_occupancy b
           ON a.space_id = b.space_id AND a.booking_id < b.booking_id AND a.during && b.during
           WHERE a.active AND b.active AND (a.own OR b.own)"""
    )
    assert overlaps == 0


async def test_the_database_itself_refuses_an_overlap(world: World):
    org = world.organisations[0]
    day = ordinary_day(8, weekday=2)
    part_a = await world.service.client.post(
        "/bookings",
        json=booking_body(world.part_a, at(day, 18), at(day, 20), org),
        headers=world.member(org),
    )
    part_b = await world.service.client.post(
        "/bookings",
        json=booking_body(world.part_b, at(day, 18), at(day, 20), org),
        headers=world.member(org),
    )
    assert part_a.status_code == part_b.status_code == 201, (part_a.text, part_b.text)
    # Bypass the application: a whole-hall row over part A's time breaks the constraint.
    with pytest.raises(Exception, match="ex_booking_occupancy"):
        await world.db.scalar(
            """WITH b AS (
                 INSERT INTO booking (id, space_id, site_id, booker_sub, activity, audience,
                   participants, start, "end", status, price_ore, price_explanation,
                   price_explanation_en, version, created_at, updated_at)
                 VALUES (:id, :hall, :site, 'x', 'x', 'private', 1, :start, :end, 'confirmed', 0,
                   '', '', 1, now(), now()) RETURNING id)
               INSERT INTO booking_occupancy (booking_id, space_id, own, during, active)
               SELECT id, :part, false, tstzrange(:start, :end), true FROM b RETURNING 1""",
            id=uuid.uuid4(),
            hall=world.hall,
            site=world.school,
            part=world.part_a,
            start=at(day, 19),
            end=at(day, 21),
        )
    availability = await world.service.client.get(
        "/availability",
        params={
            "from": iso(at(day, 0)),
            "to": iso(at(day + timedelta(days=1), 0)),
            "site_id": str(world.school),
        },
    )
    assert availability.status_code == 200, availability.text
    slots = {row["space_name"]: row["slots"] for row in availability.json()}
    assert [(s["local_start"], s["local_end"]) for s in slots["Storhallen"]] == [
        (f"{day}T17:00", f"{day}T18:00"),
        (f"{day}T20:00", f"{day}T22:00"),
    ]
    assert "kari" not in availability.text.lower()


async def test_availability_shows_released_and_closed_time_beside_the_free_slots(world: World):
    """A calendar can tell booked time (released, not closed, not free) from closed time and
    time that was never released: the answer carries the windows and closures of the period."""
    org = world.organisations[0]
    day = ordinary_day(9, weekday=3)
    booked = await world.service.client.post(
        "/bookings",
        json=booking_body(world.hall, at(day, 17), at(day, 18), org),
        headers=world.member(org),
    )
    assert booked.status_code == 201, booked.text
    await world.closures(closure(world.school, at(day, 21), at(day + timedelta(days=1), 6)))
    answer = await world.service.client.get(
        "/availability",
        params={
            "from": iso(at(day, 12)),
            "to": iso(at(day, 23)),
            "space_id": str(world.hall),
        },
    )
    assert answer.status_code == 200, answer.text
    [hall] = answer.json()

    def local(spans: list[dict[str, str]]) -> list[tuple[str, str]]:
        return [(span["local_start"], span["local_end"]) for span in spans]

    assert local(hall["released"]) == [(f"{day}T17:00", f"{day}T22:00")]
    # The closure is cut to the period asked for.
    assert local(hall["closed"]) == [(f"{day}T21:00", f"{day}T23:00")]
    assert local(hall["slots"]) == [(f"{day}T18:00", f"{day}T21:00")]


async def test_bad_input_is_refused_with_a_problem_and_nothing_stored(world: World):
    org = world.organisations[0]
    client, member = world.service.client, world.member(org)
    day = ordinary_day(8, weekday=3)
    past = next_weekday(today() - timedelta(days=14), 3)
    far = today() + timedelta(days=760)
    bad_bookings = {
        "end before start": booking_body(world.hall, at(day, 20), at(day, 18), org),
        "zero length": booking_body(world.hall, at(day, 18), at(day, 18), org),
        "outside any window": booking_body(world.hall, at(day, 8), at(day, 10), org),
        "in the past": booking_body(world.hall, at(past, 18), at(past, 20), org),
        "beyond the horizon": booking_body(world.hall, at(far, 18), at(far, 20), org),
        "too short": booking_body(world.hall, at(day, 18), at(day, 18, 30), org),
        "too long": booking_body(world.hall, at(day, 17), at(day, 21, 30), org),
        "off the grid": booking_body(world.hall, at(day, 18, 10), at(day, 19, 10), org),
        "unknown space": booking_body(uuid.uuid4(), at(day, 18), at(day, 20), org),
        "over capacity": booking_body(world.part_a, at(day, 18), at(day, 20), org, participants=31),
        "naive times": {
            **booking_body(world.hall, at(day, 18), at(day, 20), org),
            "start": f"{day}T18:00:00",
            "end": f"{day}T20:00:00",
        },
    }
    for case, body in bad_bookings.items():
        response = await client.post("/bookings", json=body, headers=member)
        assert 400 <= response.status_code < 500, (case, response.status_code, response.text)
        assert response.headers["content-type"].startswith(PROBLEM), case
        assert response.json()["detail"], case
    assert (
        await client.post(
            "/organisations",
            json={
                "org_number": "123456789",
                "name": "Feil",
                "category": "sports",
                "contact": {"email": "a@example.org"},
            },
            headers=world.admin(),
        )
    ).status_code == 422
    series = {
        "space_id": str(world.hall),
        "organisation_id": str(org),
        "activity": "Trening",
        "audience": "non_profit",
        "participants": 10,
        "start_time": "18:00",
        "end_time": "20:00",
    }
    no_weekday = {**series, "first_date": str(day), "last_date": str(day + timedelta(weeks=4))}
    reversed_dates = {
        **no_weekday,
        "weekday": 3,
        "first_date": str(day + timedelta(weeks=4)),
        "last_date": str(day),
    }
    for body in (no_weekday, reversed_dates):
        response = await client.post("/booking-series", json=body, headers=member)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
    assert await world.db.scalar("SELECT count(*) FROM booking") == 0
    assert await world.db.scalar("SELECT count(*) FROM booking_series") == 0
    assert await world.db.scalar("SELECT count(*) FROM organisation") == 2


async def test_organisations_reach_only_their_own_bookings(world: World):
    mine, theirs = world.organisations
    client = world.service.client
    day = ordinary_day(8, weekday=4)
    created = await client.post(
        "/bookings",
        json=booking_body(world.hall, at(day, 18), at(day, 20), theirs),
        headers=world.member(theirs),
    )
    assert created.status_code == 201, created.text
    booking_id = created.json()["booking_id"]
    assert created.json()["price_ore"] == 40_000  # 2 h at the gym rate for non-profits

    outsider = world.member(mine)
    assert (await client.get(f"/bookings/{booking_id}", headers=outsider)).status_code == 404
    cancel = await client.post(f"/bookings/{booking_id}/cancel", headers=outsider)
    assert cancel.status_code == 404
    assert (await client.get("/bookings", headers=outsider)).json() == []
    booking_as_other = booking_body(world.hall, at(day, 20), at(day, 22), theirs)
    refused = await client.post("/bookings", json=booking_as_other, headers=outsider)
    assert refused.status_code == 404
    assert (await client.get(f"/organisations/{theirs}", headers=outsider)).status_code == 404

    own = await client.get(f"/bookings/{booking_id}", headers=world.member(theirs))
    assert own.status_code == 200
    assert own.json()["organisation_name"] == "Idrettslag 1"
    other_manager = await world.manager(world.other_school)
    assert (await client.get("/bookings", headers=other_manager)).json() == []
    school_manager = await world.manager(world.school)
    assert len((await client.get("/bookings", headers=school_manager)).json()) == 1

    # Requests that need approval: only a manager of the space's own site may approve.
    requested = await client.post(
        "/bookings",
        json=booking_body(
            world.classroom,
            at(day, 18),
            at(day, 19),
            None,
            audience="private",
            participants=5,
            contact={"email": "familien@example.no"},
        ),
        headers=world.resident(),
    )
    assert requested.status_code == 201, requested.text
    assert requested.json()["status"] == "requested"
    assert requested.json()["organisation_name"] == "Privatperson"
    request_id = requested.json()["booking_id"]
    denied = await client.post(f"/bookings/{request_id}/approve", headers=other_manager)
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith(PROBLEM)
    assert (await client.get(f"/bookings/{request_id}", headers=world.admin())).json()[
        "status"
    ] == "requested"
    approved = await client.post(f"/bookings/{request_id}/approve", headers=school_manager)
    assert approved.status_code == 200
    assert approved.json()["status"] == "confirmed"
    again = await client.post(f"/bookings/{request_id}/approve", headers=school_manager)
    assert again.status_code == 409

    # A retried POST with the same Idempotency-Key answers the first result, books nothing new.
    retry_body = booking_body(world.other_gym, at(day, 18), at(day, 20), theirs)
    retry_headers = {**world.member(theirs), "Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first_try = await client.post("/bookings", json=retry_body, headers=retry_headers)
    second_try = await client.post("/bookings", json=retry_body, headers=retry_headers)
    assert first_try.status_code == second_try.status_code == 201
    assert second_try.headers["idempotent-replayed"] == "true"
    assert second_try.json()["booking_id"] == first_try.json()["booking_id"]
    assert (
        await world.db.scalar(
            "SELECT count(*) FROM booking WHERE space_id = :id", id=world.other_gym
        )
        == 1
    )

    cancelled = await client.post(f"/bookings/{booking_id}/cancel", headers=world.member(theirs))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "by_organisation"


async def test_mine_lists_only_the_bookings_the_caller_made(world: World):
    client = world.service.client
    org = world.organisations[0]
    day = ordinary_day(8, weekday=3)
    made = await client.post(
        "/bookings",
        json=booking_body(world.hall, at(day, 18), at(day, 20), org),
        headers=world.member(org),
    )
    assert made.status_code == 201, made.text
    booking_id = made.json()["booking_id"]

    own = await client.get("/bookings", params={"mine": "true"}, headers=world.member(org))
    assert [b["booking_id"] for b in own.json()] == [booking_id]
    manager = await world.manager(world.school)
    assert [b["booking_id"] for b in (await client.get("/bookings", headers=manager)).json()] == [
        booking_id
    ]
    assert (await client.get("/bookings", params={"mine": "true"}, headers=manager)).json() == []
    refused = await client.get("/bookings", params={"mine": "maybe"}, headers=manager)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(PROBLEM)
