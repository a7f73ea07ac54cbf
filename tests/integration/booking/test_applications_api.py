"""Applications to a round: a club applies, changes and withdraws while the round is open;
bad sections are refused; the result shows once the round's results are sent."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from tests.integration.booking.rounds_support import create_round, round_body
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow


def section(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "G14",
        "activity": "Håndball",
        "age_group": "youth",
        "group_size": 20,
        "times_per_week": 2,
        "min_minutes": 60,
        "max_minutes": 90,
        "halls": [str(world.hall), str(world.part_a)],
        "preferred": [
            {"weekday": 1, "start": "18:00", "end": "20:00"},
            {"weekday": 3, "start": "18:00", "end": "20:00"},
        ],
        "acceptable": [{"weekday": 2, "start": "17:00", "end": "21:00"}],
    }
    body.update(changes)
    return body


async def put(
    world: World, round_id: str, org: uuid.UUID, body: Any, headers: dict[str, str] | None = None
) -> Any:
    return await world.service.client.put(
        f"/rounds/{round_id}/applications/{org}",
        json=body,
        headers=headers if headers is not None else world.member(org),
    )


async def test_apply_change_read_and_withdraw(world: World) -> None:
    created = await create_round(world, round_body([world.hall, world.part_a, world.part_b]))
    round_id, org = created["id"], world.organisations[0]
    first = await put(world, round_id, org, {"note": "Takk", "sections": [section(world)]})
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["status"], answer["version"], answer["round_name"]) == (
        "submitted",
        1,
        "Sesongen",
    )
    assert answer["organisation_name"] == "Idrettslag 0"
    assert [s["position"] for s in answer["sections"]] == [1]
    assert answer["sections"][0]["result"] is None

    replaced = await put(
        world,
        round_id,
        org,
        {"sections": [section(world, name="Senior", age_group="adults"), section(world)]},
    )
    assert replaced.status_code == 200, replaced.text
    assert [(s["name"], s["position"]) for s in replaced.json()["sections"]] == [
        ("Senior", 1),
        ("G14", 2),
    ]
    assert replaced.json()["version"] == 2
    assert await world.db.scalar("SELECT count(*) FROM application_section") == 2

    client = world.service.client
    read = await client.get(f"/rounds/{round_id}/applications/{org}", headers=world.member(org))
    assert read.status_code == 200
    assert read.json()["id"] == answer["id"]
    other = world.member(world.organisations[1])
    hidden = await client.get(f"/rounds/{round_id}/applications/{org}", headers=other)
    assert hidden.status_code == 404
    assert (await client.get(f"/rounds/{round_id}", headers=other)).json()["application_count"] == 1

    listed = await client.get(f"/rounds/{round_id}/applications", headers=world.admin())
    assert [a["organisation_id"] for a in listed.json()] == [str(org)]
    assert (await client.get(f"/rounds/{round_id}/applications", headers=other)).status_code == 403
    mine = await client.get(f"/organisations/{org}/applications", headers=world.member(org))
    assert [(a["round_name"], a["round_state"]) for a in mine.json()] == [("Sesongen", "open")]
    assert (
        await client.get(f"/organisations/{org}/applications", headers=other)
    ).status_code == 404

    withdrawn = await client.post(
        f"/rounds/{round_id}/applications/{org}/withdraw", headers=world.member(org)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert (await client.get(f"/rounds/{round_id}")).json()["application_count"] == 0
    again = await put(world, round_id, org, {"sections": [section(world)]})
    assert again.json()["status"] == "submitted"


async def test_bad_sections_are_refused(world: World) -> None:
    created = await create_round(world, round_body([world.hall, world.part_a], weekdays=[1, 2, 3]))
    round_id, org = created["id"], world.organisations[0]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"min_minutes": 90, "max_minutes": 60}, "max_minutes"),
        ({"times_per_week": 4}, "times_per_week"),
        ({"halls": [str(world.other_gym)]}, "halls"),
        ({"halls": []}, "halls"),
        ({"preferred": []}, "preferred"),
        ({"preferred": [{"weekday": 5, "start": "18:00", "end": "19:00"}]}, "preferred"),
        ({"preferred": [{"weekday": 1, "start": "16:00", "end": "18:00"}]}, "preferred"),
        ({"preferred": [{"weekday": 1, "start": "18:15", "end": "19:00"}]}, "preferred"),
        ({"preferred": [{"weekday": 1, "start": "19:00", "end": "18:00"}]}, "preferred"),
        ({"acceptable": [{"weekday": 1, "start": "22:00", "end": "23:30"}]}, "acceptable"),
        ({"group_size": 61}, "group_size"),
        ({"team_id": str(uuid.uuid4())}, "team_id"),
    ]
    for changes, field in cases:
        response = await put(world, round_id, org, {"sections": [section(world, **changes)]})
        assert response.status_code == 422, (changes, response.text)
        assert response.json()["field"] == field, (changes, response.json())
        assert response.json()["detail_nb"]
    too_many = {"sections": [section(world, name=f"Lag {n}") for n in range(21)]}
    assert (await put(world, round_id, org, too_many)).status_code == 422
    assert (await put(world, round_id, org, {"sections": []})).status_code == 422
    # A group fits when one listed hall is large enough (the whole hall, not its part).
    fits = await put(world, round_id, org, {"sections": [section(world, group_size=50)]})
    assert fits.status_code == 200, fits.text
    stranger = await put(
        world, round_id, org, {"sections": [section(world)]}, headers=world.person("someone")
    )
    assert stranger.status_code == 403
    missing = await put(world, str(uuid.uuid4()), org, {"sections": [section(world)]})
    assert missing.status_code == 404
    assert await world.db.scalar("SELECT count(*) FROM season_application") == 1


async def test_outside_the_open_period_and_after_results(world: World) -> None:
    client = world.service.client
    org = world.organisations[0]
    upcoming = await create_round(world, round_body([world.hall], opens_in=3))
    early = await put(world, upcoming["id"], org, {"sections": [section(world)]})
    assert early.status_code == 409, early.text
    assert early.json()["state"] == "upcoming"

    opened = await create_round(world, round_body([world.other_gym], name="Kjeller"))
    body = {"sections": [section(world, halls=[str(world.other_gym)], group_size=10)]}
    assert (await put(world, opened["id"], org, body)).status_code == 200
    closed = await client.post(f"/rounds/{opened['id']}/close", headers=world.admin())
    assert closed.json()["state"] == "in_allocation"
    late = await put(world, opened["id"], org, body)
    assert late.status_code == 409
    withdraw = await client.post(
        f"/rounds/{opened['id']}/applications/{org}/withdraw", headers=world.member(org)
    )
    assert withdraw.status_code == 409

    await world.db.execute(
        "UPDATE application_round SET state = 'results_sent' WHERE id = :id", id=opened["id"]
    )
    sent = await put(world, opened["id"], org, copy.deepcopy(body))
    assert sent.status_code == 409
    assert "result has been sent" in sent.json()["detail"]


async def test_results_are_read_from_the_allocation(world: World) -> None:
    client = world.service.client
    org = world.organisations[0]
    created = await create_round(world, round_body([world.hall, world.part_a]))
    round_id = created["id"]
    sections = [section(world, name="G14"), section(world, name="Old boys", age_group="adults")]
    answer = await put(world, round_id, org, {"sections": sections})
    granted_id, waiting_id = (s["id"] for s in answer.json()["sections"])
    await client.post(f"/rounds/{round_id}/close", headers=world.admin())
    series_id = uuid.uuid4()
    db = world.db
    await db.execute(
        "INSERT INTO section_outcome VALUES (:s, :r, 'granted', 2, 2, 'Got both', 'Fikk begge')",
        s=granted_id,
        r=round_id,
    )
    await db.execute(
        "INSERT INTO section_outcome VALUES (:s, :r, 'refused', 0, 2, 'No room', 'Ikke plass')",
        s=waiting_id,
        r=round_id,
    )
    for weekday in (1, 3):
        await db.execute(
            "INSERT INTO allocated_time (id, round_id, section_id, space_id, site_id, weekday, "
            "start_minute, end_minute, hall_rank, preferred, explanation, explanation_nb, "
            "series_id, created_at) VALUES (:id, :r, :s, :space, :site, :w, 1080, 1170, 1, "
            "true, 'First choice', 'Førstevalg', :series, now())",
            id=uuid.uuid4(),
            r=round_id,
            s=granted_id,
            space=world.hall,
            site=world.school,
            w=weekday,
            series=series_id,
        )
    await db.execute(
        "INSERT INTO waiting_entry (id, round_id, section_id, organisation_id, position, "
        "times_wanted, status, created_at) VALUES (:id, :r, :s, :o, 1, 2, 'waiting', now())",
        id=uuid.uuid4(),
        r=round_id,
        s=waiting_id,
        o=org,
    )
    url = f"/rounds/{round_id}/applications/{org}"
    before = await client.get(url, headers=world.member(org))
    assert all(s["result"] is None for s in before.json()["sections"])

    await db.execute(
        "UPDATE application_round SET state = 'results_sent' WHERE id = :id", id=round_id
    )
    after = (await client.get(url, headers=world.member(org))).json()
    granted, refused = (s["result"] for s in after["sections"])
    assert granted["status"] == "granted"
    assert granted["explanation_nb"] == "Fikk begge"
    assert [(g["space_name"], g["weekday"], g["start"], g["end"]) for g in granted["granted"]] == [
        ("Storhallen", 1, "18:00", "19:30"),
        ("Storhallen", 3, "18:00", "19:30"),
    ]
    assert {g["series_id"] for g in granted["granted"]} == {str(series_id)}
    assert granted["waiting_position"] is None
    assert (refused["status"], refused["granted"], refused["waiting_position"]) == (
        "refused",
        [],
        1,
    )
