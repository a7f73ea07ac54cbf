"""Facilities changes reach bookings: closures, withdrawn windows and retired spaces cancel
the bookings they take away and tell the club; the read model can be rebuilt from the topic."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from booking.catalogue.use_cases import rebuild
from samspill.events import booking as be
from samspill.events import facilities as fe
from tests.dates import consecutive_dates
from tests.integration.booking.booking_support import at, closure, feed, iso
from tests.integration.booking.world import World
from tests.integration.kernel_support import read_envelopes

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

READ_MODEL = ["read_site", "read_space", "read_window", "read_closure", "read_price_rule"]


async def book(world: World, space_id: uuid.UUID, start: datetime, end: datetime) -> str:
    org = world.organisations[0]
    response = await world.service.client.post(
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
    assert response.status_code == 201, response.text
    assert response.json()["price_ore"] == 0  # the free principle
    return str(response.json()["booking_id"])


async def status_of(world: World, booking_id: str) -> tuple[str, str | None]:
    row = (
        await world.db.rows(
            "SELECT status, cancellation_reason FROM booking WHERE id = :id",
            id=uuid.UUID(booking_id),
        )
    )[0]
    return row[0], row[1]


async def snapshot(world: World) -> dict[str, list[str]]:
    return {
        table: sorted(str(row[0]) for row in await world.db.rows(f"SELECT state FROM {table}"))
        for table in READ_MODEL
    }


async def test_closures_withdrawals_and_retirements_cancel_bookings_and_tell_the_club(
    world: World,
):
    first, second, third = consecutive_dates(3, 8, weekday=0)
    hall_first = await book(world, world.hall, at(first, 18), at(first, 20))
    part_b_first = await book(world, world.part_b, at(first, 20), at(first, 22))
    part_a_second = await book(world, world.part_a, at(second, 18), at(second, 20))
    other_second = await book(world, world.other_gym, at(second, 18), at(second, 20))
    hall_third = await book(world, world.hall, at(third, 18), at(third, 19))
    classroom_third = await book(world, world.part_b, at(third, 20), at(third, 21))

    # Part A closed for an exam evening: the whole hall above it is lost, part B is not.
    exam = closure(world.school, at(first, 17), at(first, 20), space_id=world.part_a)
    # The whole school closed the next day; the other school is not affected.
    maintenance = closure(
        world.school, at(second, 0), at(third, 0), space_id=None, reason="maintenance"
    )
    await world.closures(exam, maintenance)
    assert await status_of(world, hall_first) == ("cancelled", "closure")
    assert await status_of(world, part_b_first) == ("confirmed", None)
    assert await status_of(world, part_a_second) == ("cancelled", "closure")
    assert await status_of(world, other_second) == ("confirmed", None)

    window = await world.db.rows(
        "SELECT state FROM read_window WHERE space_id = :id", id=world.hall
    )
    withdrawn = fe.WindowState.model_validate(window[0][0]).model_copy(
        update={"withdrawn_dates": [third]}
    )
    retired = (
        await world.db.rows("SELECT state FROM read_space WHERE space_id = :id", id=world.part_b)
    )[0][0]
    await feed(
        world.kafka,
        world.db,
        [
            fe.WindowWithdrawn(window=withdrawn, dates=[third]),
            fe.SpaceRetired(space=fe.SpaceState.model_validate({**retired, "retired": True})),
        ],
    )
    assert await status_of(world, hall_third) == ("cancelled", "window_withdrawn")
    assert await status_of(world, classroom_third) == ("cancelled", "space_retired")
    assert await status_of(world, part_b_first) == ("cancelled", "space_retired")

    cancelled = await read_envelopes(
        world.kafka,
        be.contract,
        expected=5,
        accept=lambda envelope: isinstance(envelope.data, be.BookingCancelled),
    )
    reasons = {
        str(e.data.booking.booking_id): e.data.reason
        for e in cancelled
        if isinstance(e.data, be.BookingCancelled)
    }
    assert reasons == {
        hall_first: "closure",
        part_a_second: "closure",
        hall_third: "window_withdrawn",
        classroom_third: "space_retired",
        part_b_first: "space_retired",
    }
    one = next(e.data for e in cancelled if isinstance(e.data, be.BookingCancelled))
    assert one.booking.organisation_name == "Idrettslag 0"
    assert one.booking.space_name.startswith("Storhallen")
    assert one.booking.local_start.endswith(("T18:00", "T20:00"))

    # The read model is rebuilt from the topic alone and comes out the same.
    before = await snapshot(world)
    assert await world.db.execute("DELETE FROM read_space") == len(before["read_space"])
    applied = await rebuild(world.service.settings)
    assert applied == len(world.facilities_events()) + 4
    assert await snapshot(world) == before
