"""Residents' own bookings against the real booking service, database and broker: the price
category a booker may claim follows from who they are, and a resident's contact travels with
the booking's events (never in a public field) so the resident is told."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from samspill.events import facilities as fe
from samspill.events.base import EventData
from samspill.recurrence import OSLO
from tests.dates import ordinary_day
from tests.integration.booking.booking_support import (
    at,
    closure,
    evening_window,
    feed,
    iso,
    org_number,
    space,
    wait_until,
)
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
RATES = {"children_youth": 0, "non_profit": 30_000, "commercial": 150_000, "private": 80_000}
FAMILY = {"name": "Familien Berg", "email": "familien.berg@example.no", "phone": "+47 400 00 000"}


async def open_hall(world: World) -> uuid.UUID:
    """A small hall anyone may book at once, priced per category (300 kr/h non-profit,
    800 kr/h private)."""
    hall = uuid.uuid4()
    today = datetime.now(OSLO).date()
    events: list[EventData] = [
        fe.SpaceRegistered(
            space=space(
                hall, world.school, "Lillesalen", kind="auditorium", who_may_book="everyone"
            )
        ),
        fe.WindowReleased(window=evening_window(hall, world.school, today, today + timedelta(400))),
        *(
            fe.PriceRuleSet(
                rule=fe.PriceRuleState(
                    rule_id=uuid.uuid4(), space_id=hall, category=category, hourly_rate_ore=rate
                )
            )
            for category, rate in RATES.items()
        ),
    ]
    await feed(world.kafka, world.db, events)
    return hall


def day_ahead(weeks: int = 2) -> date:
    return ordinary_day(start=datetime.now(OSLO).date() + timedelta(weeks=weeks))


def body(space_id: uuid.UUID, day: date, audience: str, **extra: object) -> dict[str, object]:
    return {
        "space_id": str(space_id),
        "activity": "bursdagsfeiring",
        "audience": audience,
        "participants": 12,
        "start": iso(at(day, 18)),
        "end": iso(at(day, 19)),
        "contact": FAMILY,
        **extra,
    }


def series_body(space_id: uuid.UUID, first: date, audience: str, **extra: object) -> dict[str, Any]:
    return {
        "space_id": str(space_id),
        "activity": "korøvelse",
        "audience": audience,
        "participants": 12,
        "weekday": first.weekday(),
        "start_time": "19:00",
        "end_time": "20:00",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(weeks=3)).isoformat(),
        "contact": FAMILY,
        **extra,
    }


async def stored(world: World) -> tuple[int, int, int]:
    """Bookings, series and events written so far."""
    return (
        int(await world.db.scalar("SELECT count(*) FROM booking")),
        int(await world.db.scalar("SELECT count(*) FROM booking_series")),
        int(await world.db.scalar("SELECT count(*) FROM outbox")),
    )


async def events_of(world: World, event_type: str) -> list[dict[str, Any]]:
    rows = await world.db.rows(
        "SELECT value FROM outbox WHERE event_type = :type ORDER BY id", type=event_type
    )
    return [json.loads(bytes(row.value)) for row in rows]


async def test_a_resident_cannot_claim_the_non_profit_price(world: World):
    hall = await open_hall(world)
    client, resident = world.service.client, world.resident()
    day = day_ahead()
    before = await stored(world)
    for claim in ("non_profit", "children_youth", "commercial"):
        refused = await client.post("/bookings", json=body(hall, day, claim), headers=resident)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        problem = refused.json()
        assert problem["type"].endswith("/price-category-not-allowed")
        assert problem["allowed_categories"] == ["private"]
        assert problem["detail_nb"]
        series = await client.post(
            "/booking-series", json=series_body(hall, day, claim), headers=resident
        )
        assert series.status_code == 403, series.text
    assert await stored(world) == before, "a refused claim stores nothing"

    private = await client.post("/bookings", json=body(hall, day, "private"), headers=resident)
    assert private.status_code == 201, private.text
    assert private.json()["audience"] == "private"
    assert private.json()["price_ore"] == RATES["private"]


async def test_an_organisation_claims_what_its_kind_allows(world: World):
    hall = await open_hall(world)
    client = world.service.client
    registered = await client.post(
        "/organisations",
        json={
            "org_number": org_number(77_777),
            "name": "Skjetten seniorforening",
            "category": "seniors",
            "contact": {"name": "Styret", "email": "styret@senior.example"},
        },
        headers=world.person("senior-leader"),
    )
    assert registered.status_code == 201, registered.text
    seniors = uuid.UUID(registered.json()["id"])
    member, day = world.person("senior-leader"), day_ahead()
    own = {"organisation_id": str(seniors), "contact": None}
    before = await stored(world)
    refused = await client.post("/bookings", json=body(hall, day, "private", **own), headers=member)
    assert refused.status_code == 403, refused.text
    assert refused.json()["allowed_categories"] == ["children_youth", "non_profit", "commercial"]
    assert await stored(world) == before
    booked = await client.post(
        "/bookings", json=body(hall, day, "non_profit", **own), headers=member
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["price_ore"] == RATES["non_profit"]
    assert booked.json()["contact"] is None
    assert booked.json()["resident_id"] is None


async def test_a_resident_gives_a_contact_that_travels_with_the_booking(world: World):
    hall = await open_hall(world)
    client, resident = world.service.client, world.resident("resident-berg")
    day = day_ahead()
    before = await stored(world)
    for wrong, why in (
        ({"contact": None}, "give one, or enter your profile first"),
        ({"contact": {"name": "Familien Berg"}}, "an email address or a phone number"),
        ({"contact": {"email": "not-an-email"}}, "not a valid email address"),
        ({"contact": {"phone": "call me maybe", "channel": "sms"}}, "not a valid phone number"),
        ({"organisation_id": str(world.organisations[0])}, "takes no contact"),
    ):
        who = world.member(world.organisations[0]) if "organisation_id" in wrong else resident
        refused = await client.post(
            "/bookings", json=body(hall, day, "private", **wrong), headers=who
        )
        assert refused.status_code == 422, (wrong, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert why in refused.text, (wrong, refused.text)
    assert await stored(world) == before

    booked = await client.post("/bookings", json=body(hall, day, "private"), headers=resident)
    assert booked.status_code == 201, booked.text
    booking = booked.json()
    assert booking["contact"]["email"] == FAMILY["email"]
    assert booking["organisation_name"] == "Privatperson"
    [confirmed] = await events_of(world, "samspill.booking.confirmed.v1")
    assert confirmed["booking"]["contact"]["email"] == FAMILY["email"]
    assert confirmed["booking"]["resident_id"] == world.service.person_id("resident-berg")

    # A resident's weekly series carries the contact on its bookings and on the series.
    first = day_ahead(weeks=5)
    series = await client.post(
        "/booking-series", json=series_body(hall, first, "private"), headers=resident
    )
    assert series.status_code == 201, series.text
    [created] = await events_of(world, "samspill.booking.series.created.v1")
    assert created["series"]["contact"]["phone"] == "+4740000000"  # kept in E.164
    assert created["series"]["resident_id"] == world.service.person_id("resident-berg")
    placed = await events_of(world, "samspill.booking.confirmed.v1")
    assert len(placed) == 1 + len(series.json()["created"])
    assert all(e["booking"]["contact"]["email"] == FAMILY["email"] for e in placed)

    # The school closes the hall that evening: the cancellation carries the contact too.
    await world.closures(closure(world.school, at(day, 17), at(day, 22), space_id=hall))

    async def cancelled() -> bool:
        return bool(await events_of(world, "samspill.booking.cancelled.v1"))

    await wait_until(cancelled, what="the closure's cancellation")
    [cancellation] = await events_of(world, "samspill.booking.cancelled.v1")
    assert cancellation["reason"] == "closure"
    assert cancellation["booking"]["booking_id"] == booking["booking_id"]
    assert cancellation["booking"]["contact"] == confirmed["booking"]["contact"]
