"""Publishing a handled allocation: weekly series for the season (closures and public
holidays skipped with reasons), the waiting list, one answer per applicant, and nothing
changes after the results are sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from samspill.recurrence import norwegian_public_holidays
from tests.integration.booking.booking_support import at, closure
from tests.integration.booking.season_support import Round, contested_round
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


async def publish_round(world: World, rnd: Round) -> dict[str, Any]:
    client, admin = world.service.client, world.admin()
    ran = await client.post(
        f"/rounds/{rnd.id}/allocation/run", json={"method": "greedy"}, headers=admin
    )
    assert ran.status_code == 200, ran.text
    accepted = await client.post(f"/rounds/{rnd.id}/allocation/accept", headers=admin)
    assert accepted.status_code == 200, accepted.text
    published = await client.post(f"/rounds/{rnd.id}/publish", headers=admin)
    assert published.status_code == 200, published.text
    return dict(published.json())


async def test_publishing_makes_the_series_answers_every_applicant_and_closes(world: World) -> None:
    rnd = await contested_round(world)
    closed = rnd.holiday + timedelta(weeks=1)
    await world.closures(
        closure(world.other_school, at(closed, 0), at(closed + timedelta(days=1), 0))
    )
    published = await publish_round(world, rnd)
    assert published["state"] == "results_sent"
    assert published["series_ids"]
    assert len(published["answered"]) == 3

    client, admin = world.service.client, world.admin()
    allocation = (await client.get(f"/rounds/{rnd.id}/allocation", headers=admin)).json()
    (youth,) = [t for t in allocation["times"] if t["section_name"] == "A junior"]
    assert youth["series_id"] in published["series_ids"]
    club_a = world.organisations[0]
    series = await client.get(f"/booking-series/{youth['series_id']}", headers=world.member(club_a))
    assert series.status_code == 200, series.text
    body = series.json()
    holidays = norwegian_public_holidays([rnd.first.year, rnd.last.year])
    expected = {
        str(day): "holiday" if day in holidays else "closure"
        for day in rnd.season_dates()
        if day in holidays or day == closed
    }
    assert {s["date"]: s["reason"] for s in body["skipped"]} == expected
    assert len(body["created"]) == len(rnd.season_dates()) - len(expected)
    assert {b["status"] for b in body["created"]} == {"confirmed"}
    assert body["organisation_id"] == str(club_a)
    stored = await world.db.rows(
        "SELECT round_id FROM booking_series WHERE id = :id", id=youth["series_id"]
    )
    assert stored[0].round_id == rnd.id

    created = await world.db.events("samspill.booking.series.created.v1")
    assert {e["series"]["round_id"] for e in created} == {str(rnd.id)}
    answers = await world.db.events("samspill.booking.application.answered.v1")
    assert len(answers) == 3
    by_section = {s["name"]: s for a in answers for s in a["application"]["sections"]}
    assert by_section["A junior"]["status"] == "granted"
    assert by_section["A junior"]["granted"][0]["series_id"] == youth["series_id"]
    assert by_section["B voksne"]["status"] == "refused"
    assert by_section["B voksne"]["waiting_position"] is not None
    assert by_section["B voksne"]["explanation_nb"]

    waiting = await client.get(f"/rounds/{rnd.id}/waiting-list", headers=admin)
    assert waiting.status_code == 200, waiting.text
    entries = waiting.json()["entries"]
    assert [e["section_id"] for e in entries] == published["waiting"]
    assert [e["position"] for e in entries] == list(range(1, len(entries) + 1))
    assert str(rnd.sections["B voksne"]) in published["waiting"]

    again = await client.post(f"/rounds/{rnd.id}/publish", headers=admin)
    assert again.status_code == 409
    assert "already" in again.json()["detail"]
    for path in ("allocation/run", f"allocation/times/{youth['id']}/lock", "allocation/reopen"):
        late = await client.post(f"/rounds/{rnd.id}/{path}", headers=admin)
        assert late.status_code == 409, (path, late.text)
        assert "result has been sent" in late.json()["detail"]
    removed = await client.delete(f"/rounds/{rnd.id}/allocation/times/{youth['id']}", headers=admin)
    assert removed.status_code == 409
    states = [
        e["round"]["state"] for e in await world.db.events("samspill.booking.round.changed.v1")
    ]
    assert states[-1] == "results_sent"
