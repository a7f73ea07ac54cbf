"""A requisition from facilities reaches booking: in one unit of work it cancels every booking
that overlaps it at the site and every reserved loan there (a school that is also an equipment
centre), publishes them together in `requisition.applied` and refuses new bookings while it
lasts; lifting it publishes the cancelled times that are still free in `requisition.released`."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from samspill.events import facilities as fe
from tests.dates import consecutive_dates
from tests.integration.booking.booking_support import (
    at,
    evening_window,
    feed,
    iso,
    space,
)
from tests.integration.booking.lending_support import (
    Centre,
    loan_request,
    send_facilities,
    stock_centre,
)
from tests.integration.booking.world import World
from tests.support import eventually

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

APPLIED = "samspill.booking.requisition.applied.v1"
RELEASED = "samspill.booking.requisition.released.v1"


async def book(
    world: World, org: uuid.UUID, space_id: uuid.UUID, start: datetime, end: datetime
) -> Any:
    return await world.service.client.post(
        "/bookings",
        json={
            "space_id": str(space_id),
            "organisation_id": str(org),
            "start": iso(start),
            "end": iso(end),
            "activity": "Håndball G12",
            "audience": "children_youth",
            "participants": 18,
        },
        headers=world.member(org),
    )


async def booked(
    world: World, org: uuid.UUID, space_id: uuid.UUID, start: datetime, end: datetime
) -> str:
    response = await book(world, org, space_id, start, end)
    assert response.status_code == 201, response.text
    return str(response.json()["booking_id"])


async def loan(world: World, centre: Centre, sub: str, pickup: date, back: date) -> str:
    body = loan_request([(centre.type_id("ski"), 1)], pickup, back)
    response = await world.service.client.post("/loans", json=body, headers=world.person(sub))
    assert response.status_code == 201, response.text
    return str(response.json()["loan_id"])


async def statuses(world: World, table: str, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    id_column, reason = (
        ("id", "cancellation_reason") if table == "booking" else ("loan_id", "cancel_reason")
    )
    rows = await world.db.rows(
        f"SELECT {id_column}, status, {reason} FROM {table} WHERE {id_column} = ANY(:ids)",
        ids=[uuid.UUID(i) for i in ids],
    )
    return {str(row[0]): (row[1], row[2]) for row in rows}


async def school_with_centre(world: World) -> tuple[Centre, uuid.UUID]:
    """A school that also runs the equipment centre: three pairs of skis and a gym."""
    centre = Centre("Volla skole og BUA", reservation_days=60)
    await stock_centre(world.service, world.kafka, centre, {"ski": (3, 7)})
    gym = uuid.uuid4()
    first = consecutive_dates(1)[0]
    window = evening_window(gym, centre.centre_id, first, first + timedelta(days=400))
    events = [
        fe.SpaceRegistered(space=space(gym, centre.centre_id, "Gymsalen")),
        fe.WindowReleased(window=window),
    ]
    await feed(world.kafka, world.db, events)
    return centre, gym


def requisition(site_id: uuid.UUID, start: datetime, end: datetime) -> fe.RequisitionState:
    return fe.RequisitionState(
        requisition_id=uuid.uuid4(),
        site_id=site_id,
        site_name="Volla skole og BUA",
        start=start,
        end=end,
        reason="Evakueringssenter etter flom",
    )


async def send(world: World, event: fe.RequisitionStarted | fe.RequisitionLifted) -> None:
    before = await world.db.applied()
    await send_facilities(world.kafka, [event], key=str(event.requisition.site_id))
    await world.db.wait_applied(before + 1)


async def test_a_requisition_cancels_bookings_and_loans_at_once_and_offers_back(world: World):
    centre, gym = await school_with_centre(world)
    one, two = world.organisations
    first, second, third = consecutive_dates(3, 8)
    inside = [
        await booked(world, one, gym, at(first, 18), at(first, 20)),
        await booked(world, one, gym, at(second, 17), at(second, 18)),
        await booked(world, two, gym, at(second, 19), at(second, 21)),
    ]
    after = await booked(world, one, gym, at(third, 18), at(third, 20))
    elsewhere = await booked(world, two, world.other_gym, at(first, 18), at(first, 20))
    loans_inside = [
        await loan(world, centre, "resident-1", first, second),
        await loan(world, centre, "resident-2", second, third),
    ]
    loan_after = await loan(world, centre, "resident-3", third, third + timedelta(days=1))

    taken = requisition(centre.centre_id, at(first, 0), at(third, 0))
    await send(world, fe.RequisitionStarted(requisition=taken))

    booking_ids = [*inside, after, elsewhere]
    found = await statuses(world, "booking", booking_ids)
    assert {b: found[b] for b in inside} == {b: ("cancelled", "requisition") for b in inside}
    assert found[after] == ("confirmed", None)
    assert found[elsewhere] == ("confirmed", None)
    found = await statuses(world, "loan", [*loans_inside, loan_after])
    assert {i: found[i] for i in loans_inside} == {
        i: ("cancelled", "requisition") for i in loans_inside
    }
    assert found[loan_after][0] == "reserved"

    (applied,) = await world.db.events(APPLIED)
    assert applied["requisition"]["requisition_id"] == str(taken.requisition_id)
    assert sorted(b["booking_id"] for b in applied["bookings"]) == sorted(inside)
    assert sorted(x["loan_id"] for x in applied["loans"]) == sorted(loans_inside)

    # While it lasts the site is closed to new bookings; after it, it is not.
    refused = await book(world, two, gym, at(first, 20), at(first, 21))
    assert refused.status_code == 422, refused.text
    assert "emergency" in refused.json()["detail"]

    # Lifted: the cancelled times still ahead and free are offered back, not re-booked.
    await send(world, fe.RequisitionLifted(requisition=taken))
    (released,) = await world.db.events(RELEASED)
    assert sorted(b["booking_id"] for b in released["offered"]) == sorted(inside)
    found = await statuses(world, "booking", inside)
    assert set(found.values()) == {("cancelled", "requisition")}
    await booked(world, two, gym, at(first, 20), at(first, 21))


async def test_a_requisition_of_one_space_takes_what_overlaps_it_only(world: World):
    (day,) = consecutive_dates(1, 8)
    one = world.organisations[0]
    hall = await booked(world, one, world.hall, at(day, 17), at(day, 18))
    part_a = await booked(world, one, world.part_a, at(day, 20), at(day, 21))
    part_b = await booked(world, one, world.part_b, at(day, 19), at(day, 21))
    taken = requisition(world.school, at(day, 17), at(day, 22)).model_copy(
        update={"space_ids": [world.part_a]}
    )
    await send(world, fe.RequisitionStarted(requisition=taken))

    found = await statuses(world, "booking", [hall, part_a, part_b])
    # The whole hall includes part A; part B is not taken.
    assert found == {
        hall: ("cancelled", "requisition"),
        part_a: ("cancelled", "requisition"),
        part_b: ("confirmed", None),
    }

    async def one_applied() -> bool:
        return len(await world.db.events(APPLIED)) == 1

    await eventually(one_applied)
