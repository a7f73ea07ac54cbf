"""What an erased person still held, and the outbox, against the real service.

Erasure cancels the person's own bookings and series occurrences still to come and their loans
not yet picked up (reason `person_erased`, states that name no one, so the time and the units
are free again); a loan already picked up stays, the equipment has to come back. The club's
booking the person made stays confirmed. Outbox rows already published that carry the person's
id or contact are deleted; the rows the erasure itself writes still go out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from samspill.privacy import erased_marker
from tests.dates import today
from tests.integration.booking.personal_data_support import (
    PLANTED,
    Planted,
    book,
    booking_body,
    plant,
    sql,
)
from tests.integration.booking.world import World
from tests.support import eventually

pytestmark = pytest.mark.slow

CANCELLED = "samspill.booking.cancelled.v1"
LOAN_CANCELLED = "samspill.booking.loan.cancelled.v1"


async def _borrow(world: World, planted: Planted, pickup_in_days: int) -> str:
    reserve = {
        "pickup_date": (today() + timedelta(days=pickup_in_days)).isoformat(),
        "return_date": (today() + timedelta(days=pickup_in_days + 2)).isoformat(),
        "lines": [{"item_type_id": planted.centre.type_id("ski"), "quantity": 1}],
    }
    loan = await world.service.client.post("/loans", json=reserve, headers=planted.headers)
    assert loan.status_code == 201, loan.text
    return str(loan.json()["loan_id"])


async def _all_published(world: World) -> None:
    async def done() -> bool:
        pending = await world.db.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return pending == 0

    await eventually(done, timeout=30, interval=0.1)


async def _outbox_rows(world: World) -> list[Any]:
    return await sql(
        world,
        "SELECT event_type, key, headers::text AS headers, convert_from(value, 'UTF8') AS value, "
        "published_at FROM outbox ORDER BY id",
    )


async def test_erasure_cancels_what_the_person_still_holds(world: World) -> None:
    planted = await plant(world)
    client = world.service.client
    person = planted.person_id
    reserved = await _borrow(world, planted, pickup_in_days=2)
    held = await _borrow(world, planted, pickup_in_days=0)
    staff = await world.staff(planted.centre.centre_id, sub="desk-1")
    picked = await client.post(f"/loans/{held}/pickup", headers=staff)
    assert picked.status_code == 200, picked.text
    own_before = await sql(
        world,
        "SELECT id::text FROM booking WHERE booker_sub = :p AND organisation_id IS NULL "
        "AND status = 'confirmed' AND start > now()",
        p=person,
    )
    assert len(own_before) >= 2  # the own booking and the series' occurrences
    await _all_published(world)

    erased = await client.post("/me/erasure", headers=planted.headers)
    assert erased.status_code == 202, erased.text

    marker = erased_marker(person)
    rows = await sql(
        world,
        "SELECT id::text, status, cancellation_reason, booker_sub, organisation_id "
        "FROM booking ORDER BY start",
    )
    by_id = {row.id: row for row in rows}
    for (booking_id,) in own_before:
        row = by_id[booking_id]
        assert (row.status, row.cancellation_reason, row.booker_sub) == (
            "cancelled",
            "person_erased",
            marker,
        )
    club = by_id[planted.booking_ids["club"]]
    assert (club.status, club.cancellation_reason) == ("confirmed", None)
    assert str(club.organisation_id) == str(planted.organisation)
    active = await world.db.scalar(
        "SELECT count(*) FROM booking_occupancy o JOIN booking b ON b.id = o.booking_id "
        "WHERE o.active AND b.booker_sub = :m AND b.organisation_id IS NULL",
        m=marker,
    )
    assert active == 0

    loans = {
        row.loan_id: row
        for row in await sql(world, "SELECT loan_id::text, status, cancel_reason FROM loan")
    }
    assert (loans[reserved].status, loans[reserved].cancel_reason) == ("cancelled", "person_erased")
    assert loans[held].status == "picked_up"  # the equipment must come back
    assert loans[planted.loan_id].status == "returned"

    # The cancellations went out, naming no one, for every booking and the reserved loan.
    told = {e["booking"]["booking_id"]: e for e in await world.db.events(CANCELLED)}
    assert set(told) == {booking_id for (booking_id,) in own_before}
    for event in told.values():
        assert event["reason"] == "person_erased"
        assert event["booking"]["contact"] is None
        assert event["booking"]["resident_id"] == marker
        assert event["booking"]["activity"] == "privat"
    (loan_event,) = await world.db.events(LOAN_CANCELLED)
    assert (loan_event["loan"]["loan_id"], loan_event["reason"]) == (reserved, "person_erased")
    assert loan_event["loan"]["resident_id"] == marker
    assert loan_event["loan"]["contact"]["email"] is None

    # Another resident can have the freed evening.
    again = booking_body(
        planted.hall, planted.days[0], contact={"email": "nabo@example.no"}, activity="Quiz"
    )
    assert await book(world, world.person("neighbour-1"), again)


async def test_erasure_forgets_published_outbox_rows_naming_the_person(world: World) -> None:
    planted = await plant(world)
    person = planted.person_id
    await _all_published(world)
    before = await _outbox_rows(world)
    assert any(person in row.value for row in before)
    assert any(value in row.value for row in before for value in PLANTED)
    unrelated = [
        row
        for row in before
        if not any(needle in row.key + row.headers + row.value for needle in (person, *PLANTED))
    ]
    assert unrelated  # e.g. the other clubs' registrations

    erased = await world.service.client.post("/me/erasure", headers=planted.headers)
    assert erased.status_code == 202, erased.text

    after = await _outbox_rows(world)
    for row in after:
        for value in PLANTED:
            assert value not in row.value + row.headers, (row.event_type, value)
    # What still names the person is what the erasure itself wrote, to go out now.
    naming = [row for row in after if person in row.key + row.headers + row.value]
    assert {row.event_type for row in naming} <= {
        "samspill.booking.person.erased.v1",
        "samspill.booking.membership.changed.v1",
    }
    # Rows about others stay.
    kept = {(row.event_type, row.key, row.value) for row in after}
    assert {(row.event_type, row.key, row.value) for row in unrelated} <= kept
    (erasure,) = await world.db.events("samspill.booking.person.erased.v1")
    assert erasure["erasure"]["person_id"] == person
