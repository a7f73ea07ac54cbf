"""What a booker is told: the space that is really booked, one time convention, what is public."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from booking.bookings.queries import raise_clash
from booking.catalogue.queries import get_space
from samspill.errors import Conflict
from samspill.events import booking as be
from samspill.intervals import Interval
from samspill.recurrence import OSLO
from tests.dates import ordinary_day, weekly_dates
from tests.integration.booking.booking_support import at
from tests.integration.booking.world import World
from tests.integration.kernel_support import read_envelopes

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
# Winter and summer offsets of Oslo, written the way a client in Oslo sends them.
OSLO_OFFSETS = ("+01:00", "+02:00")


def body(space_id: uuid.UUID, start: datetime, end: datetime, org: uuid.UUID | None) -> dict:
    return {
        "space_id": str(space_id),
        "organisation_id": None if org is None else str(org),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "activity": "Basketballtrening",
        "audience": "non_profit" if org else "private",
        "participants": 12,
    }


def oslo_text(instant: datetime) -> str:
    """The instant as Oslo wall time with its offset, as a client in Oslo would send it."""
    local = instant.astimezone(OSLO)
    assert local.isoformat()[-6:] in OSLO_OFFSETS
    return local.isoformat()


async def test_a_third_refused_for_the_whole_hall_names_the_whole_hall(world: World):
    org, other = world.organisations
    client = world.service.client
    day = ordinary_day(10, weekday=2)
    whole = await client.post(
        "/bookings", json=body(world.hall, at(day, 18), at(day, 20), org), headers=world.member(org)
    )
    assert whole.status_code == 201, whole.text

    refused = await client.post(
        "/bookings",
        json=body(world.part_a, at(day, 19), at(day, 21), other),
        headers=world.member(other),
    )

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    assert problem["detail"].startswith("Storhallen is already booked"), problem
    assert "Storhallen A" not in problem["detail"] + problem["detail_nb"]
    assert problem["detail_nb"].startswith("Storhallen er allerede booket"), problem
    assert "from 18:00 to 20:00" in problem["detail"]
    assert problem["conflicting_space"] == {"space_id": str(world.hall), "name": "Storhallen"}
    clash = problem["conflicting_interval"]
    assert datetime.fromisoformat(clash["start"]) == at(day, 18)
    assert datetime.fromisoformat(clash["end"]) == at(day, 20)

    # A third booked first: the whole hall is refused naming that third.
    later = day + timedelta(weeks=1)
    third = await client.post(
        "/bookings",
        json=body(world.part_b, at(later, 18), at(later, 20), org),
        headers=world.member(org),
    )
    assert third.status_code == 201, third.text
    hall = await client.post(
        "/bookings",
        json=body(world.hall, at(later, 17), at(later, 19), other),
        headers=world.member(other),
    )
    assert hall.status_code == 409, hall.text
    assert hall.json()["detail"].startswith("Storhallen B is already booked"), hall.json()


async def test_the_database_clash_path_names_the_booked_space_too(world: World):
    """When two requests race, the constraint refuses the loser; its 409 is built from the
    database's view of the clash and must name the same space."""
    org = world.organisations[0]
    day = ordinary_day(10, weekday=3)
    whole = await world.service.client.post(
        "/bookings", json=body(world.hall, at(day, 18), at(day, 20), org), headers=world.member(org)
    )
    assert whole.status_code == 201, whole.text
    async with world.service.app.state.sessions() as session:
        part_a = await get_space(session, world.part_a)
        assert part_a is not None
        with pytest.raises(Conflict) as refused:
            await raise_clash(session, part_a, [Interval(at(day, 19), at(day, 21))])
    assert str(refused.value).startswith("Storhallen is already booked"), str(refused.value)
    assert refused.value.extra["conflicting_space"]["name"] == "Storhallen"


async def test_answers_use_utc_like_reads_whatever_offset_the_caller_sent(world: World):
    org = world.organisations[0]
    client, member = world.service.client, world.member(org)
    day = ordinary_day(10, weekday=1)
    sent = body(world.other_gym, at(day, 18), at(day, 20), org)
    sent["start"], sent["end"] = oslo_text(at(day, 18)), oslo_text(at(day, 20))

    created = await client.post("/bookings", json=sent, headers=member)

    assert created.status_code == 201, created.text
    answer = created.json()
    read = (await client.get(f"/bookings/{answer['booking_id']}", headers=member)).json()
    listed = (await client.get("/bookings", headers=member)).json()
    assert (answer["start"], answer["end"]) == (read["start"], read["end"])
    assert [(b["start"], b["end"]) for b in listed] == [(read["start"], read["end"])]
    for text in (answer["start"], answer["end"], answer["created_at"], answer["updated_at"]):
        assert datetime.fromisoformat(text).utcoffset() == timedelta(0), text
    assert datetime.fromisoformat(answer["start"]) == at(day, 18)

    cancelled = await client.post(f"/bookings/{answer['booking_id']}/cancel", headers=member)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["start"] == read["start"]

    first = weekly_dates(3, 14, weekday=3)[0]
    series = await client.post(
        "/booking-series",
        json={
            "space_id": str(world.other_gym),
            "organisation_id": str(org),
            "activity": "Futsal",
            "audience": "non_profit",
            "participants": 10,
            "weekday": 3,
            "start_time": "18:00",
            "end_time": "19:00",
            "first_date": str(first),
            "last_date": str(first + timedelta(weeks=2)),
        },
        headers=member,
    )
    assert series.status_code == 201, series.text
    created_series = series.json()["created"]
    read_series = (
        await client.get(f"/booking-series/{series.json()['id']}", headers=member)
    ).json()["created"]
    assert [(b["start"], b["end"]) for b in created_series] == [
        (b["start"], b["end"]) for b in read_series
    ]
    assert all(datetime.fromisoformat(b["start"]).utcoffset() == timedelta(0) for b in read_series)


async def test_a_residents_activity_is_marked_private_and_the_schema_says_what_is_public(
    world: World,
):
    day = ordinary_day(10, weekday=4)
    resident = await world.service.client.post(
        "/bookings",
        json={
            **body(world.classroom, at(day, 18), at(day, 19), None),
            "activity": "Bursdagsselskap for Ola",
            "audience": "private",
            "contact": {"email": "familien@example.no"},
        },
        headers=world.resident(),
    )
    assert resident.status_code == 201, resident.text
    org = world.organisations[0]
    club = await world.service.client.post(
        "/bookings",
        json=body(world.classroom, at(day, 19), at(day, 20), org),
        headers=world.member(org),
    )
    assert club.status_code == 201, club.text

    published = await read_envelopes(
        world.kafka,
        be.contract,
        expected=2,
        accept=lambda envelope: isinstance(envelope.data, be.BookingRequested),
    )
    flags = {
        str(e.data.booking.booking_id): e.data.booking.by_resident  # type: ignore[union-attr]
        for e in published
    }
    assert flags == {resident.json()["booking_id"]: True, club.json()["booking_id"]: False}

    schema = (await world.service.client.get("/openapi.json")).json()["components"]["schemas"]
    described = schema["BookingCreate"]["properties"]["activity"]["description"]
    for words in ("public", "organisation", "resident", "not published"):
        assert words in described, described
