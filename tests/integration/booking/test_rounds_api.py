"""Application rounds: staff create, read, change and close them; bad periods are refused."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.dates import today
from tests.integration.booking.rounds_support import create_round, day, round_body
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow


async def test_create_read_and_list(world: World) -> None:
    created = await create_round(world, round_body([world.hall, world.other_gym]))
    assert created["state"] == "open"
    assert created["weekdays"] == [0, 1, 2, 3, 4]
    assert (created["evening_start"], created["evening_end"]) == ("17:00", "23:00")
    assert created["priorities"]["children_youth"] == 1000
    assert created["version"] == 1
    assert created["application_count"] == 0
    names = {s["space_name"]: s for s in created["spaces"]}
    assert set(names) == {"Storhallen", "Gymsalen"}
    assert names["Storhallen"]["site_name"] == "Volla skole"
    assert set(names["Storhallen"]["conflicts_with"]) == {str(world.part_a), str(world.part_b)}

    upcoming = await create_round(
        world, round_body([world.classroom], opens_in=5, name="Neste sesong")
    )
    assert upcoming["state"] == "upcoming"

    client = world.service.client
    anonymous = await client.get(f"/rounds/{created['id']}")
    assert anonymous.status_code == 200
    assert anonymous.json()["name"] == "Sesongen"
    listed = await client.get("/rounds", params={"state": "upcoming"})
    assert [r["id"] for r in listed.json()] == [upcoming["id"]]
    assert len((await client.get("/rounds")).json()) == 2
    missing = await client.get(f"/rounds/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_only_the_admin_writes(world: World) -> None:
    client = world.service.client
    body = round_body([world.hall])
    member = world.member(world.organisations[0])
    assert (await client.post("/rounds", json=body)).status_code == 401
    assert (await client.post("/rounds", json=body, headers=member)).status_code == 403
    created = await create_round(world, body)
    patched = await client.patch(f"/rounds/{created['id']}", json={"name": "x"}, headers=member)
    assert patched.status_code == 403
    closed = await client.post(f"/rounds/{created['id']}/close", headers=member)
    assert closed.status_code == 403
    assert await world.db.scalar("SELECT count(*) FROM application_round") == 1


BAD_ROUNDS: list[tuple[dict[str, Any], str]] = [
    ({"applications_close": ("OPEN", -1)}, "applications_close"),
    ({"allocation_until": ("CLOSE", 0)}, "allocation_until"),
    ({"results_date": ("ALLOC", -1)}, "results_date"),
    ({"season_first_date": ("RESULTS", -1)}, "season_first_date"),
    ({"season_last_date": ("FIRST", -1)}, "season_last_date"),
    ({"season_last_date": ("FIRST", 400)}, "season_last_date"),
    ({"weekdays": []}, "weekdays"),
    ({"weekdays": [1, 1]}, "weekdays"),
    ({"weekdays": [7]}, "weekdays"),
    ({"evening_start": "17:15"}, "evening_start"),
    ({"evening_start": "23:00", "evening_end": "17:00"}, "evening_end"),
    ({"evening_start": "25:00"}, "evening_start"),
]


async def test_bad_rounds_are_refused(world: World) -> None:
    """Periods that overlap or run backwards, a season over a year, bad weekdays or evenings:
    422 problem+json naming the field, nothing stored."""
    for changes, field in BAD_ROUNDS:
        body = round_body([world.hall])
        anchors = {
            "OPEN": day(body["applications_open"]),
            "CLOSE": day(body["applications_close"]),
            "ALLOC": day(body["allocation_until"]),
            "RESULTS": day(body["results_date"]),
            "FIRST": day(body["season_first_date"]),
        }
        for key, value in changes.items():
            if isinstance(value, tuple):
                anchor, offset = value
                body[key] = (anchors[anchor] + timedelta(days=offset)).isoformat()
            else:
                body[key] = value
        response = await world.service.client.post("/rounds", json=body, headers=world.admin())
        assert response.status_code == 422, (changes, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        if "field" in problem:  # the domain's refusals name the field; pydantic's list it
            assert problem["field"] == field, (changes, problem)
            assert problem["detail_nb"]
    assert await world.db.scalar("SELECT count(*) FROM application_round") == 0


async def test_unknown_space_and_overlapping_seasons(world: World) -> None:
    client = world.service.client
    unknown = await client.post("/rounds", json=round_body([uuid.uuid4()]), headers=world.admin())
    assert unknown.status_code == 422, unknown.text
    first = await create_round(world, round_body([world.hall]))
    # A part of the hall cannot be handed out in another round over the same season.
    clash = await client.post(
        "/rounds", json=round_body([world.part_a], name="Annen"), headers=world.admin()
    )
    assert clash.status_code == 409, clash.text
    assert clash.json()["round"]["round_id"] == first["id"]
    # Another gym is fine, and so is the hall in a later season.
    await create_round(world, round_body([world.other_gym], name="Kjeller"))
    later = round_body([world.hall], opens_in=200, name="Senere")
    await create_round(world, later)
    assert await world.db.scalar("SELECT count(*) FROM application_round") == 3


async def test_patch_close_and_edit_after_results(world: World) -> None:
    client = world.service.client
    created = await create_round(world, round_body([world.hall]))
    round_id = created["id"]
    # Postponing the opening makes the round upcoming again.
    later = (today() + timedelta(days=2)).isoformat()
    patched = await client.patch(
        f"/rounds/{round_id}",
        json={"applications_open": later, "space_ids": [str(world.hall), str(world.other_gym)]},
        headers=world.admin(),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["state"] == "upcoming"
    assert patched.json()["version"] == 2
    assert len(patched.json()["spaces"]) == 2
    backwards = await client.patch(
        f"/rounds/{round_id}",
        json={"applications_close": (today() + timedelta(days=1)).isoformat()},
        headers=world.admin(),
    )
    assert backwards.status_code == 422
    not_open = await client.post(f"/rounds/{round_id}/close", headers=world.admin())
    assert not_open.status_code == 409

    reopened = await client.patch(
        f"/rounds/{round_id}",
        json={"applications_open": today().isoformat()},
        headers=world.admin(),
    )
    assert reopened.json()["state"] == "open"
    closed = await client.post(f"/rounds/{round_id}/close", headers=world.admin())
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "in_allocation"
    in_allocation = await client.patch(
        f"/rounds/{round_id}", json={"name": "Nytt navn"}, headers=world.admin()
    )
    assert in_allocation.status_code == 409

    await world.db.execute(
        "UPDATE application_round SET state = 'results_sent' WHERE id = :id", id=round_id
    )
    sent = await client.patch(
        f"/rounds/{round_id}", json={"name": "Nytt navn"}, headers=world.admin()
    )
    assert sent.status_code == 409
    assert "result has been sent" in sent.json()["detail"]
    assert (await client.get(f"/rounds/{round_id}")).json()["name"] == "Sesongen"

    events = await world.db.events("samspill.booking.round.changed.v1")
    mine = [e for e in events if e["round"]["round_id"] == round_id]
    assert [(e["round"]["state"], e["previous_state"]) for e in mine] == [
        ("open", None),
        ("upcoming", "open"),
        ("open", "upcoming"),
        ("in_allocation", "open"),
    ]
    assert [e["round"]["version"] for e in mine] == [1, 2, 3, 4]
