"""Weekly series over a school term: skipped weeks listed with the reason, cancel the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from samspill.events import booking as be
from tests.integration.booking.booking_support import at, closure
from tests.integration.booking.world import World
from tests.integration.kernel_support import read_envelopes

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


async def test_a_term_with_an_autumn_holiday_lists_the_skipped_weeks(world: World):
    year = datetime.now(UTC).year + 1
    autumn_break = date.fromisocalendar(year, 40, 1)  # høstferie: week 40, Monday to Sunday
    await world.closures(
        closure(
            world.school,
            at(autumn_break, 0),
            at(autumn_break + timedelta(days=7), 0),
            reason="holiday",
        )
    )
    org = world.organisations[0]
    first = date.fromisocalendar(year, 34, 2)  # Tuesdays from the start of the autumn term
    last = date.fromisocalendar(year, 50, 2)
    client, member = world.service.client, world.member(org)
    taken = await client.post(
        "/bookings",
        json={
            "space_id": str(world.part_a),
            "organisation_id": str(world.organisations[1]),
            "start": at(first + timedelta(weeks=2), 19).isoformat(),
            "end": at(first + timedelta(weeks=2), 21).isoformat(),
            "activity": "Volleyball",
            "audience": "non_profit",
            "participants": 12,
        },
        headers=world.member(world.organisations[1]),
    )
    assert taken.status_code == 201, taken.text

    response = await client.post(
        "/booking-series",
        json={
            "space_id": str(world.hall),
            "organisation_id": str(org),
            "activity": "Futsal",
            "audience": "non_profit",
            "participants": 30,
            "weekday": 1,
            "start_time": "18:00",
            "end_time": "19:30",
            "first_date": str(first),
            "last_date": str(last),
        },
        headers=member,
    )
    assert response.status_code == 201, response.text
    series = response.json()
    skipped = {item["date"]: item["reason"] for item in series["skipped"]}
    assert skipped == {
        str(first + timedelta(weeks=2)): "conflict",
        str(autumn_break + timedelta(days=1)): "closure",
    }
    assert len(series["created"]) == 17 - 2
    assert all(b["status"] == "confirmed" for b in series["created"])
    assert {b["local_start"][-5:] for b in series["created"]} == {"18:00"}

    published = await read_envelopes(
        world.kafka,
        be.contract,
        expected=1,
        accept=lambda envelope: isinstance(envelope.data, be.SeriesCreated),
    )
    assert isinstance(published[0].data, be.SeriesCreated)
    assert {s.reason for s in published[0].data.series.skipped} == {"conflict", "closure"}

    one = series["created"][3]["booking_id"]
    cancelled = await client.post(
        f"/booking-series/{series['id']}/occurrences/{one}/cancel", headers=member
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"

    rest_from = date.fromisoformat(series["created"][10]["local_start"][:10])
    rest = await client.post(
        f"/booking-series/{series['id']}/cancel",
        json={"from_date": str(rest_from)},
        headers=member,
    )
    assert rest.status_code == 200, rest.text
    assert len(rest.json()["cancelled"]) == 5
    assert rest.json()["kept"] == []
    active = await world.db.scalar(
        "SELECT count(*) FROM booking WHERE series_id = :id AND status = 'confirmed'",
        id=series["id"],
    )
    assert active == 15 - 1 - 5
    outsider = world.member(world.organisations[1])
    assert (
        await client.get(f"/booking-series/{series['id']}", headers=outsider)
    ).status_code == 404
    mine = await client.get(f"/booking-series/{series['id']}", headers=member)
    assert len(mine.json()["created"]) == 15
    assert len(mine.json()["skipped"]) == 2
