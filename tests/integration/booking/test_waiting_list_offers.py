"""The waiting list during the season: a cancelled series' rest is offered to the first
fitting waiting section; declining passes it on, accepting makes the series, and an offer
left unanswered lapses to the next entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from booking.tables import messaging
from booking.waiting_list.jobs import expire_offers
from samspill.db import create_engine, session_factory, units_of_work
from samspill.recurrence import OSLO
from tests.dates import today
from tests.integration.booking.season_support import Round, contested_round
from tests.integration.booking.test_allocation_publish import publish_round
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


async def cancel_youth_series(world: World, rnd: Round) -> list[dict[str, Any]]:
    """Publish the round, cancel the youth section's series and return the waiting list."""
    await publish_round(world, rnd)
    client, admin = world.service.client, world.admin()
    allocation = (await client.get(f"/rounds/{rnd.id}/allocation", headers=admin)).json()
    (youth,) = [t for t in allocation["times"] if t["section_name"] == "A junior"]
    cancelled = await client.post(
        f"/booking-series/{youth['series_id']}/cancel",
        json={},
        headers=world.member(world.organisations[0]),
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled"]
    listed = await client.get(f"/rounds/{rnd.id}/waiting-list", headers=admin)
    assert listed.status_code == 200, listed.text
    return list(listed.json()["entries"])


def club_of(world: World, entry: dict[str, Any]) -> dict[str, str]:
    return world.member(next(o for o in world.organisations if str(o) == entry["organisation_id"]))


async def test_a_cancelled_series_goes_to_the_first_waiting_section(world: World) -> None:
    rnd = await contested_round(world)
    entries = await cancel_youth_series(world, rnd)
    client = world.service.client
    fitting = [e for e in entries if e["section_name"] in ("B voksne", "C trim")]
    first, second = fitting
    assert first["position"] < second["position"]
    (offer,) = first["offers"]
    assert offer["status"] == "open"
    assert offer["space_id"] == str(world.other_gym)
    assert offer["weekday"] == rnd.weekday
    assert offer["start"] == "18:00"
    assert offer["first_date"] == str(rnd.first)
    assert offer["last_date"] == str(rnd.last)
    assert second["offers"] == []
    made = await world.db.events("samspill.booking.waiting_offer.made.v1")
    assert [(e["offer"]["offer_id"], e["offer"]["status"]) for e in made] == [(offer["id"], "open")]

    # The club sees its offer; another club neither sees nor answers it.
    mine = await client.get(
        f"/organisations/{first['organisation_id']}/waiting-offers", headers=club_of(world, first)
    )
    assert [o["id"] for o in mine.json()] == [offer["id"]]
    stranger = await client.post(
        f"/waiting-offers/{offer['id']}/accept", headers=club_of(world, second)
    )
    assert stranger.status_code in (403, 404)

    # Declining passes the time on to the next fitting section.
    declined = await client.post(
        f"/waiting-offers/{offer['id']}/decline", headers=club_of(world, first)
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    again = await client.post(
        f"/waiting-offers/{offer['id']}/accept", headers=club_of(world, first)
    )
    assert again.status_code == 409
    listed = (await client.get(f"/rounds/{rnd.id}/waiting-list", headers=world.admin())).json()
    by_section = {e["section_id"]: e for e in listed["entries"]}
    (passed,) = by_section[second["section_id"]]["offers"]
    assert passed["status"] == "open"
    assert by_section[first["section_id"]]["status"] == "waiting"

    # Accepting makes the club's series to the season's end, made by the round.
    accepted = await client.post(
        f"/waiting-offers/{passed['id']}/accept", headers=club_of(world, second)
    )
    assert accepted.status_code == 200, accepted.text
    answer = accepted.json()
    assert answer["status"] == "accepted"
    series = await client.get(
        f"/booking-series/{answer['series_id']}", headers=club_of(world, second)
    )
    assert series.status_code == 200, series.text
    assert series.json()["organisation_id"] == second["organisation_id"]
    assert series.json()["last_date"] == str(rnd.last)
    assert {b["status"] for b in series.json()["created"]} == {"confirmed"}
    stored = await world.db.scalar(
        "SELECT round_id FROM booking_series WHERE id = :id", id=answer["series_id"]
    )
    assert stored == rnd.id
    entry_status = await world.db.scalar(
        "SELECT status FROM waiting_entry WHERE section_id = :s", s=second["section_id"]
    )
    assert entry_status == "placed"


async def test_an_unanswered_offer_lapses_to_the_next_section(world: World) -> None:
    rnd = await contested_round(world)
    entries = await cancel_youth_series(world, rnd)
    first, second = [e for e in entries if e["section_name"] in ("B voksne", "C trim")]
    (offer,) = first["offers"]

    engine = create_engine(world.service.settings.database_url, pool_size=2)
    try:
        units = units_of_work(session_factory(engine), messaging, source="/samspill/booking")
        assert await expire_offers(units, lambda: _in_days(6)) == 0
        assert await expire_offers(units, lambda: _in_days(8)) == 1
        assert await expire_offers(units, lambda: _in_days(8)) == 0
    finally:
        await engine.dispose()

    client = world.service.client
    lapsed = await client.post(
        f"/waiting-offers/{offer['id']}/accept", headers=club_of(world, first)
    )
    assert lapsed.status_code == 409
    listed = (await client.get(f"/rounds/{rnd.id}/waiting-list", headers=world.admin())).json()
    by_section = {e["section_id"]: e for e in listed["entries"]}
    assert [o["status"] for o in by_section[first["section_id"]]["offers"]] == ["expired"]
    assert [o["status"] for o in by_section[second["section_id"]]["offers"]] == ["open"]
    made = await world.db.events("samspill.booking.waiting_offer.made.v1")
    assert [e["offer"]["status"] for e in made] == ["open", "expired", "open"]


def _in_days(days: int) -> Any:
    from datetime import datetime, time

    return datetime.combine(today() + timedelta(days=days), time(12), tzinfo=OSLO)
