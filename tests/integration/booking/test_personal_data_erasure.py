"""A person's export and erasure in booking, against the real service: the export holds every
planted value; erasure leaves none of them in any table, keeps the club's booking under the
club and the usage figures as they were, refuses a last administrator without changing
anything, and changes nothing more when asked again."""

from __future__ import annotations

import json

import pytest

from samspill.privacy import erased_marker
from tests.integration.booking.personal_data_support import (
    EMAIL,
    NAME,
    NOTES,
    PHONE,
    PLANTED,
    newly_cancelled_minutes,
    plant,
    profile,
    sql,
    usage_figures,
    where_found,
)
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow

ERASED = "samspill.booking.person.erased.v1"


async def test_the_export_holds_every_planted_value(world: World) -> None:
    planted = await plant(world)
    client = world.service.client

    mine = await client.get("/me/data", headers=planted.headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["service"], body["person_id"]) == ("booking", planted.person_id)
    everything = json.dumps(body, ensure_ascii=False)
    for value in PLANTED:
        assert value in everything, value
    sections = body["sections"]
    assert sections["profile"][0]["email"] == EMAIL
    (membership,) = sections["memberships"]
    assert (membership["organisation_name"], membership["role"]) == ("Idrettslag 0", "booker")
    assert len(sections["invitations"]) == 2  # the accepted one and the pending one
    assert {b["id"] for b in sections["bookings"]} >= {planted.booking_ids["own"]}
    assert len(sections["series"]) == 1
    (loan,) = sections["loans"]
    assert (loan["damage_notes"], loan["contact"]["phone"]) == (NOTES, PHONE)
    assert len(loan["units"]) == 1
    (club,) = sections["organisation_bookings"]
    assert (club["id"], club["organisation_name"]) == (planted.booking_ids["club"], "Idrettslag 0")

    # Staff for a written request: the reason is required, the person's data the same.
    path = f"/people/{planted.person_id}/data"
    assert (await client.get(path, headers=world.admin())).status_code == 422
    resident = await client.get(path, params={"reason": "sak 2025/17"}, headers=planted.headers)
    assert resident.status_code == 403
    staff = await client.get(path, params={"reason": "sak 2025/17"}, headers=world.admin())
    assert staff.status_code == 200, staff.text
    assert staff.json()["sections"]["loans"][0]["damage_notes"] == NOTES


async def test_erasure_leaves_no_planted_value_and_keeps_the_club_and_the_figures(
    world: World,
) -> None:
    planted = await plant(world)
    client = world.service.client
    # A team of the second club whose contact person is the planted person.
    team = await client.post(
        f"/organisations/{world.organisations[1]}/teams",
        json={"name": "G12", "contact": {"name": NAME, "email": EMAIL}},
        headers=world.member(world.organisations[1]),
    )
    assert team.status_code == 201, team.text
    assert await where_found(world)
    figures = await usage_figures(world, planted.days[0])

    erased = await client.post("/me/erasure", headers=planted.headers)
    assert erased.status_code == 202, erased.text
    erasure_id = erased.json()["erasure_id"]

    assert await where_found(world) == []
    # The figures stay, except that the person's bookings still to come are now cancelled
    # (the time is free again); the club's figures, the invoice basis and the loans are as
    # they were.
    after = await usage_figures(world, planted.days[0])
    assert after[2:] == figures[2:]
    freed = await world.db.scalar(
        'SELECT coalesce(sum(extract(epoch FROM "end" - start) / 60), 0)::int FROM booking '
        "WHERE cancellation_reason = 'person_erased'"
    )
    assert freed > 0
    assert newly_cancelled_minutes(figures[0], after[0]) == freed
    assert newly_cancelled_minutes(figures[1], after[1]) == freed
    club = [g for g in after[1]["groups"] if g["key"] == str(planted.organisation)]
    assert club == [g for g in figures[1]["groups"] if g["key"] == str(planted.organisation)]
    assert club
    marker = erased_marker(planted.person_id)
    own, club = planted.booking_ids["own"], planted.booking_ids["club"]
    rows = await sql(
        world,
        "SELECT id::text, booker_sub, organisation_id::text, contact, status, price_ore "
        "FROM booking WHERE id::text IN (:own, :club)",
        own=own,
        club=club,
    )
    by_id = {row.id: row for row in rows}
    assert by_id[own].booker_sub == by_id[club].booker_sub == marker
    assert by_id[own].contact is None
    assert by_id[club].organisation_id == str(planted.organisation)
    # The club still sees its booking, unchanged, under its name.
    seen = await client.get(f"/bookings/{club}", headers=world.member(planted.organisation))
    assert seen.status_code == 200, seen.text
    assert (seen.json()["organisation_id"], seen.json()["status"]) == (
        str(planted.organisation),
        "confirmed",
    )
    (loan,) = await sql(world, "SELECT resident_id, contact, damage_notes, status FROM loan")
    assert (loan.resident_id, loan.contact, loan.damage_notes) == (marker, {}, None)
    assert loan.status == "returned"
    for table in ("profile", "membership"):
        found = await sql(world, f"SELECT 1 FROM {table} WHERE person_id = :p", p=planted.person_id)
        assert found == [], table
    teams = await client.get(
        f"/organisations/{world.organisations[1]}/teams",
        headers=world.member(world.organisations[1]),
    )
    assert teams.status_code == 200, teams.text
    assert [t["name"] for t in teams.json()] == ["G12"]

    (event,) = await world.db.events(ERASED)
    assert event["erasure"]["person_id"] == planted.person_id
    assert (event["erasure"]["erasure_id"], event["erasure"]["requested_by"]) == (
        erasure_id,
        "self",
    )
    left = await world.db.events("samspill.booking.membership.changed.v1")
    assert left[-1]["membership"] == {
        "organisation_id": str(planted.organisation),
        "person_id": planted.person_id,
        "role": None,
    }

    # Asking again finds nothing new: the same rows, the same marker, another event.
    before = await _snapshot(world)
    again = await client.post("/me/erasure", headers=planted.headers)
    assert again.status_code == 202, again.text
    assert await _snapshot(world) == before
    # Another event; the first one, published by now, names the person and is forgotten.
    erasures = [e["erasure"]["erasure_id"] for e in await world.db.events(ERASED)]
    assert erasures[-1] == again.json()["erasure_id"]
    assert erasure_id not in erasures or len(erasures) == 2
    export = await client.get("/me/data", headers=planted.headers)
    sections = export.json()["sections"]
    assert all(rows == [] for name, rows in sections.items() if name != "access_log"), sections


async def _snapshot(world: World) -> list[object]:
    tables = ("booking", "booking_series", "loan", "membership", "invitation", "team", "profile")
    found: list[object] = []
    for table in tables:
        found.append(await sql(world, f"SELECT to_jsonb(t)::text FROM {table} t ORDER BY 1"))
    return found


async def test_a_last_administrator_is_refused_and_nothing_changes(world: World) -> None:
    organisation = world.organisations[0]
    founder = world.member(organisation)
    await profile(world, founder, NAME, EMAIL)
    before = await _snapshot(world)
    events_before = await world.db.scalar("SELECT count(*) FROM outbox")

    refused = await world.service.client.post("/me/erasure", headers=founder)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/erasure-last-administrator")
    assert problem["organisations"] == ["Idrettslag 0"]
    assert "Hand the organisation over first" in problem["detail"]
    assert "Overlat organisasjonen" in problem["detail_nb"]
    assert await _snapshot(world) == before
    assert await world.db.scalar("SELECT count(*) FROM outbox") == events_before

    # Staff acting on a written request meet the same rule; the reason is required.
    person = world.service.person_id(world.founders[organisation])
    path = f"/people/{person}/erasure"
    client = world.service.client
    assert (await client.post(path, json={}, headers=world.admin())).status_code == 422
    staff = await client.post(path, json={"reason": "sak 2025/18"}, headers=world.admin())
    assert staff.status_code == 409

    # Handed over, the founder can go.
    await _make_administrator(world, organisation, "member-1")
    gone = await client.post(path, json={"reason": "sak 2025/18"}, headers=world.admin())
    assert gone.status_code == 202, gone.text
    (event,) = await world.db.events(ERASED)
    assert (event["erasure"]["requested_by"], event["erasure"]["reason"]) == (
        "staff",
        "sak 2025/18",
    )
    assert await where_found(world, (NAME, EMAIL)) == []


async def _make_administrator(world: World, organisation: object, sub: str) -> None:
    """`sub` (already administrator of another club) joins as administrator."""
    client = world.service.client
    headers = world.person(sub)
    email = f"{sub}@club.example"
    await profile(world, headers, "Ny Leder", email)
    invited = await client.post(
        f"/organisations/{organisation}/invitations",
        json={"email": email, "role": "administrator"},
        headers=world.person(world.founders[organisation]),  # type: ignore[index]
    )
    assert invited.status_code == 201, invited.text
    events = await world.db.events("samspill.booking.invitation.created.v1")
    code = events[-1]["invitation"]["code"]
    accepted = await client.post(f"/invitations/{code}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
