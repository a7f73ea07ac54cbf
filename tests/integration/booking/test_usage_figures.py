"""`/usage`: the figures of a week at two schools and a centre, who may see them, and the
period cap; against the real service on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from samspill.clock import utc_now
from tests.dates import ordinary_day
from tests.integration.booking.booking_support import at, closure
from tests.integration.booking.lending_support import Centre, loan_request, stock_centre
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow

EVENING_MINUTES = 5 * 60  # the world's windows: every day 17–22


def body(space_id: uuid.UUID, day: date, start: int, end: int, org: uuid.UUID, audience: str):
    return {
        "space_id": str(space_id),
        "organisation_id": str(org),
        "start": at(day, start).isoformat(),
        "end": at(day, end).isoformat(),
        "activity": "Trening",
        "audience": audience,
        "participants": 12,
    }


async def book(
    world: World,
    org: uuid.UUID,
    space_id: uuid.UUID,
    day: date,
    start: int,
    end: int,
    audience: str = "children_youth",
) -> dict[str, Any]:
    response = await world.service.client.post(
        "/bookings", json=body(space_id, day, start, end, org, audience), headers=world.member(org)
    )
    assert response.status_code == 201, response.text
    return response.json()


@contextmanager
def clock_at(world: World, instant: datetime) -> Iterator[None]:
    world.service.app.dependency_overrides[utc_now] = lambda: instant
    try:
        yield
    finally:
        world.service.app.dependency_overrides.pop(utc_now, None)


def period(first: date, days: int = 7) -> dict[str, str]:
    return {"from": first.isoformat(), "to": (first + timedelta(days=days - 1)).isoformat()}


async def test_a_weeks_figures_per_site_organisation_and_invoice(world: World):
    client = world.service.client
    org, other = world.organisations
    monday = ordinary_day(14, weekday=0)
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    free = await book(world, org, world.hall, tuesday, 18, 20)
    paid = await book(world, other, world.other_gym, tuesday, 18, 21, audience="non_profit")
    cancelled = await book(world, org, world.part_a, wednesday, 17, 19)
    requested = await book(world, other, world.classroom, wednesday, 18, 19, "non_profit")
    rejected = await book(world, org, world.classroom, tuesday, 18, 19)
    assert (free["price_ore"], paid["price_ore"]) == (0, 60_000)
    assert requested["status"] == rejected["status"] == "requested"
    admin = world.admin()
    for path, id_ in (("cancel", cancelled["booking_id"]), ("reject", rejected["booking_id"])):
        answer = await client.post(f"/bookings/{id_}/{path}", headers=admin)
        assert answer.status_code == 200, answer.text
    # A closure of the whole Volla school on Thursday evening.
    thursday = monday + timedelta(days=3)
    await world.closures(closure(world.school, at(thursday, 17), at(thursday, 22)))

    with clock_at(world, at(monday + timedelta(days=8), 12)):
        by_site = await client.get("/usage", params={**period(monday), "by": "site"}, headers=admin)
    assert by_site.status_code == 200, by_site.text
    sites = {row["name"]: row for row in by_site.json()["groups"]}
    volla, kjeller = sites["Volla skole"], sites["Kjeller skole"]
    # Four spaces at Volla, one at Kjeller; seven evenings, one closed at Volla.
    assert volla["released_minutes"] == 4 * 6 * EVENING_MINUTES
    assert kjeller["released_minutes"] == 7 * EVENING_MINUTES
    assert (volla["booked_minutes"], volla["cancelled_minutes"]) == (120 + 120 + 60, 120)
    assert (volla["used_minutes"], volla["free_minutes"]) == (120, 120 + 60)
    assert volla["free_share"] == pytest.approx(1.0)
    assert (kjeller["booked_minutes"], kjeller["used_minutes"], kjeller["free_minutes"]) == (
        180,
        180,
        0,
    )
    assert kjeller["free_share"] == 0
    assert by_site.json()["total"]["booked_minutes"] == 480

    # Before the week, nothing is used yet.
    with clock_at(world, at(monday - timedelta(days=1), 12)):
        early = await client.get("/usage", params=period(monday), headers=admin)
    assert early.json()["total"]["used_minutes"] == 0

    by_org = await client.get(
        "/usage", params={**period(monday), "by": "organisation"}, headers=admin
    )
    orgs = {row["key"]: row for row in by_org.json()["groups"]}
    assert orgs[str(org)]["released_minutes"] is None
    assert orgs[str(org)]["booked_minutes"] == 240
    assert orgs[str(other)]["booked_minutes"] == 240
    by_district = await client.get(
        "/usage", params={**period(monday), "by": "district"}, headers=admin
    )
    assert {row["name"] for row in by_district.json()["groups"]} == {
        "Lillestrøm sentrum",
        "Kjeller",
    }

    invoice = await client.get("/usage/invoice-basis", params=period(monday), headers=admin)
    assert invoice.status_code == 200, invoice.text
    [organisation] = invoice.json()["organisations"]
    assert organisation["organisation_id"] == str(other)
    assert [line["space_name"] for line in organisation["lines"]] == ["Gymsalen"]
    assert (organisation["total_minutes"], organisation["total_ore"]) == (180, 60_000)
    assert organisation["lines"][0]["date"] == tuesday.isoformat()


async def test_loans_per_centre_and_category(world: World):
    centre = Centre("BUA Lillestrøm")
    await stock_centre(world.service, world.kafka, centre, {"ski": (3, 14), "telt": (2, 7)})
    pickup = ordinary_day(3)
    client = world.service.client
    lines = [(centre.type_id("ski"), 2), (centre.type_id("telt"), 1)]
    loan = await client.post(
        "/loans",
        json=loan_request(lines, pickup, pickup + timedelta(days=2)),
        headers=world.person("family-1"),
    )
    assert loan.status_code == 201, loan.text
    staff = await world.staff(centre.centre_id)
    found = await client.get("/usage/loans", params=period(pickup), headers=staff)
    assert found.status_code == 200, found.text
    groups = {row["category"]: row for row in found.json()["groups"]}
    assert set(groups) == {"vinter"}
    assert (groups["vinter"]["loans"], groups["vinter"]["units"]) == (1, 3)
    assert groups["vinter"]["centre_name"] == "BUA Lillestrøm"
    # Another centre's staff see none of it.
    elsewhere = await world.staff(uuid.uuid4(), sub="staff-elsewhere")
    other = await client.get("/usage/loans", params=period(pickup), headers=elsewhere)
    assert other.json()["groups"] == []


async def test_who_may_see_and_the_bounds(world: World):
    client = world.service.client
    first = ordinary_day(7)
    resident = await client.get("/usage", params=period(first), headers=world.resident())
    assert resident.status_code == 403
    assert resident.headers["content-type"].startswith("application/problem+json")
    no_staff = await client.get("/usage/loans", params=period(first), headers=world.resident())
    assert no_staff.status_code == 403
    manager = await world.manager(world.other_school)
    mine = await client.get("/usage", params=period(first), headers=manager)
    assert [row["name"] for row in mine.json()["groups"]] == ["Kjeller skole"]
    too_long = await client.get("/usage", params=period(first, 367), headers=world.admin())
    assert too_long.status_code == 422
    assert "366" in too_long.json()["detail"]
    backwards = {"from": first.isoformat(), "to": (first - timedelta(days=1)).isoformat()}
    assert (await client.get("/usage", params=backwards, headers=world.admin())).status_code == 422
    unknown = await client.get(
        "/usage", params={**period(first), "by": "colour"}, headers=world.admin()
    )
    assert unknown.status_code in (400, 422)
    missing = await client.get("/usage/invoice-basis", headers=world.admin())
    assert missing.status_code in (400, 422)
