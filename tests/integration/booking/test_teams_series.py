"""A club's teams against the real service, database and broker: administrators keep the
teams (unique names, checked contacts), members read them, a booker hands a weekly series to
a team and back, and every change of the name a series shows is a `series.team_changed`
event keyed by the series' space; bookings and series carry the team's name."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.dates import ordinary_day
from tests.integration.booking.test_memberships_members import invite_and_accept
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

PROBLEM = "application/problem+json"
HANDED = "samspill.booking.series.team_changed.v1"
CONTACT = {"name": "Per Trener", "email": "per@example.org", "phone": "+4791234567"}


async def make_series(world: World, organisation: uuid.UUID) -> dict[str, Any]:
    first = ordinary_day(14, weekday=1)
    response = await world.service.client.post(
        "/booking-series",
        json={
            "space_id": str(world.hall),
            "organisation_id": str(organisation),
            "activity": "Håndball",
            "audience": "children_youth",
            "participants": 20,
            "weekday": 1,
            "start_time": "18:00",
            "end_time": "19:30",
            "first_date": str(first),
            "last_date": str(first + timedelta(weeks=3)),
        },
        headers=world.member(organisation),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def handed_events(world: World, series_id: str) -> list[dict[str, Any]]:
    return [e for e in await world.db.events(HANDED) if e["series"]["series_id"] == series_id]


async def test_teams_are_kept_by_administrators_and_read_by_members(world: World):
    client = world.service.client
    club, other = world.organisations
    admin = world.member(club)
    path = f"/organisations/{club}/teams"

    created = await client.post(path, json={"name": " G12 ", "contact": CONTACT}, headers=admin)
    assert created.status_code == 201, created.text
    team = created.json()
    assert team["name"] == "G12"
    assert team["contact"] == CONTACT
    assert team["series_count"] == 0

    duplicate = await client.post(path, json={"name": "g12", "contact": CONTACT}, headers=admin)
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.headers["content-type"].startswith(PROBLEM)
    assert duplicate.json()["detail_nb"]
    for bad in (
        {"name": "", "contact": CONTACT},
        {"name": "J14", "contact": {"name": "Kari", "email": "not-an-address"}},
        {"name": "J14", "contact": {"email": "kari@example.org"}},
        {"name": "J14", "contact": CONTACT, "colour": "red"},
        {"name": "x" * 201, "contact": CONTACT},
    ):
        refused = await client.post(path, json=bad, headers=admin)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
    assert await world.db.scalar("SELECT count(*) FROM team") == 1

    # Another club's administrator neither sees nor changes them; a municipal admin may.
    outsider = world.member(other)
    assert (await client.get(path, headers=outsider)).status_code == 404
    assert (
        await client.post(path, json={"name": "J14", "contact": CONTACT}, headers=outsider)
    ).status_code == 404
    assert (await client.get(path, headers=world.admin())).status_code == 200
    team_path = f"{path}/{team['id']}"
    assert (
        await client.get(f"/organisations/{other}/teams/{team['id']}", headers=outsider)
    ).status_code == 404

    # A viewer reads the teams but may not change them.
    await invite_and_accept(world, club, "viewer-1", "viewer")
    viewer = world.person("viewer-1")
    listed = await client.get(path, headers=viewer)
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["G12"]
    assert (
        await client.patch(team_path, json={"name": "Gutter 12"}, headers=viewer)
    ).status_code == 403
    assert (await client.delete(team_path, headers=viewer)).status_code == 403

    second = await client.post(path, json={"name": "J14", "contact": CONTACT}, headers=admin)
    assert second.status_code == 201
    taken = await client.patch(team_path, json={"name": "J14"}, headers=admin)
    assert taken.status_code == 409
    assert (await client.patch(team_path, json={}, headers=admin)).status_code == 422
    changed = await client.patch(
        team_path, json={"contact": {"name": "Ola Leder", "phone": "91234567"}}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "G12"
    assert changed.json()["contact"] == {"name": "Ola Leder", "email": None, "phone": "+4791234567"}
    assert (await client.delete(team_path, headers=admin)).status_code == 204
    assert (await client.delete(team_path, headers=admin)).status_code == 404
    assert [t["name"] for t in (await client.get(path, headers=admin)).json()] == ["J14"]


async def test_a_series_handed_to_a_team_carries_its_name(world: World):
    client = world.service.client
    club, other = world.organisations
    admin = world.member(club)
    path = f"/organisations/{club}/teams"
    team = (await client.post(path, json={"name": "G12", "contact": CONTACT}, headers=admin)).json()
    foreign = (
        await client.post(
            f"/organisations/{other}/teams",
            json={"name": "G12", "contact": CONTACT},
            headers=world.member(other),
        )
    ).json()
    series = await make_series(world, club)
    series_id = series["id"]
    hand = f"/booking-series/{series_id}/team"

    # A booker of the club hands it over.
    await invite_and_accept(world, club, "booker-1", "booker")
    handed = await client.put(hand, json={"team_id": team["id"]}, headers=world.person("booker-1"))
    assert handed.status_code == 200, handed.text
    body = handed.json()
    assert body["team_id"] == team["id"]
    assert body["team_name"] == "G12"
    assert {b["team_name"] for b in body["created"]} == {"G12"}
    [event] = await handed_events(world, series_id)
    assert event["series"]["team_name"] == "G12"
    assert event["series"]["round_id"] is None
    assert len(event["series"]["booking_ids"]) == len(series["created"])
    keys = await world.db.rows("SELECT key FROM outbox WHERE event_type = :t", t=HANDED)
    assert {row.key for row in keys} == {str(world.hall)}

    listed = await client.get("/bookings", params={"series_id": series_id}, headers=admin)
    assert {b["team_name"] for b in listed.json()} == {"G12"}
    again = await client.get(f"/booking-series/{series_id}", headers=admin)
    assert again.json()["team_name"] == "G12"
    teams = (await client.get(path, headers=admin)).json()
    assert teams[0]["series_count"] == 1

    # The same team again changes nothing; another club's team, a viewer, an outsider: refused.
    assert (await client.put(hand, json={"team_id": team["id"]}, headers=admin)).status_code == 200
    assert len(await handed_events(world, series_id)) == 1
    wrong = await client.put(hand, json={"team_id": foreign["id"]}, headers=admin)
    assert wrong.status_code == 422, wrong.text
    assert wrong.headers["content-type"].startswith(PROBLEM)
    unknown = await client.put(hand, json={"team_id": str(uuid.uuid4())}, headers=admin)
    assert unknown.status_code == 422
    assert (await client.put(hand, json={}, headers=admin)).status_code == 422
    await invite_and_accept(world, club, "viewer-2", "viewer")
    assert (
        await client.put(hand, json={"team_id": None}, headers=world.person("viewer-2"))
    ).status_code == 403
    assert (
        await client.put(hand, json={"team_id": None}, headers=world.member(other))
    ).status_code == 404
    assert (
        await client.put(
            f"/booking-series/{uuid.uuid4()}/team", json={"team_id": None}, headers=admin
        )
    ).status_code == 404
    assert len(await handed_events(world, series_id)) == 1

    # A cancelled occurrence's event names the team too.
    one = series["created"][1]["booking_id"]
    cancelled = await client.post(
        f"/booking-series/{series_id}/occurrences/{one}/cancel", headers=admin
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["team_name"] == "G12"
    [cancel_event] = [
        e
        for e in await world.db.events("samspill.booking.cancelled.v1")
        if e["booking"]["booking_id"] == one
    ]
    assert cancel_event["booking"]["team_name"] == "G12"

    # Renaming the team tells the series' calendars; removing it takes the series back.
    renamed = await client.patch(
        f"{path}/{team['id']}", json={"name": "Gutter 2012"}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    assert [e["series"]["team_name"] for e in await handed_events(world, series_id)] == [
        "G12",
        "Gutter 2012",
    ]
    assert (await client.get(f"/booking-series/{series_id}", headers=admin)).json()[
        "team_name"
    ] == "Gutter 2012"
    assert (await client.delete(f"{path}/{team['id']}", headers=admin)).status_code == 204
    events = await handed_events(world, series_id)
    assert [e["series"]["team_name"] for e in events] == ["G12", "Gutter 2012", None]
    back = (await client.get(f"/booking-series/{series_id}", headers=admin)).json()
    assert back["team_id"] is None
    assert {b["team_name"] for b in back["created"]} == {None}

    # A resident's own series has no club to hand it within.
    first = ordinary_day(14, weekday=2)
    own = await client.post(
        "/booking-series",
        json={
            "space_id": str(world.classroom),
            "activity": "Kor",
            "audience": "private",
            "participants": 10,
            "weekday": 2,
            "start_time": "18:00",
            "end_time": "19:00",
            "first_date": str(first),
            "last_date": str(first + timedelta(weeks=1)),
            "contact": {"name": "Kari", "email": "kari@example.org"},
        },
        headers=world.resident(),
    )
    assert own.status_code == 201, own.text
    refused = await client.put(
        f"/booking-series/{own.json()['id']}/team",
        json={"team_id": None},
        headers=world.resident(),
    )
    assert refused.status_code == 422, refused.text
