"""Organisation members against the real service, database and broker: the registrant
administers, administrators change roles and remove members, members leave, an organisation
keeps an administrator (also under concurrent changes), every change is an event, and a
viewer may see but not book."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from samspill.events import booking as be
from tests.dates import ordinary_day
from tests.integration.booking.booking_support import at, iso, org_number
from tests.integration.booking.world import World
from tests.integration.kernel_support import read_envelopes

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
CHANGED = "samspill.booking.membership.changed.v1"


async def invite_and_accept(world: World, organisation: uuid.UUID, sub: str, role: str) -> None:
    """`sub` joins through the real path: a profile, an invitation, its code from the event."""
    client, email = world.service.client, f"{sub}@example.org"
    profile = {"display_name": sub.title(), "email": email}
    assert (
        await client.put("/me/profile", json=profile, headers=world.person(sub))
    ).status_code == 200
    invited = await client.post(
        f"/organisations/{organisation}/invitations",
        json={"email": email, "role": role},
        headers=world.member(organisation),
    )
    assert invited.status_code == 201, invited.text
    code = await code_of(world, invited.json()["invitation_id"])
    accepted = await client.post(f"/invitations/{code}/accept", headers=world.person(sub))
    assert accepted.status_code == 200, accepted.text


async def code_of(world: World, invitation_id: str) -> str:
    created = await world.db.events("samspill.booking.invitation.created.v1")
    return str(
        next(e for e in created if e["invitation"]["invitation_id"] == invitation_id)["invitation"][
            "code"
        ]
    )


async def roles(world: World, organisation: uuid.UUID) -> dict[str, str]:
    rows = await world.db.rows(
        "SELECT person_id, role FROM membership WHERE organisation_id = :id", id=organisation
    )
    return {row.person_id: row.role for row in rows}


async def membership_events(world: World, organisation: uuid.UUID) -> list[tuple[str, Any]]:
    return [
        (e["membership"]["person_id"], e["membership"]["role"])
        for e in await world.db.events(CHANGED)
        if e["membership"]["organisation_id"] == str(organisation)
    ]


def registration(seed: int, name: str = "Skjetten IL") -> dict[str, Any]:
    return {
        "org_number": org_number(50_000 + seed),
        "name": name,
        "category": "sports",
        "contact": {"email": "post@skjetten.example"},
    }


async def test_the_registrant_administers_and_the_event_says_so(world: World):
    client, service = world.service.client, world.service
    org = world.organisations[0]
    founder = service.person_id(world.founders[org])
    assert await roles(world, org) == {founder: "administrator"}
    assert (founder, "administrator") in await membership_events(world, org)
    published = await read_envelopes(
        world.kafka,
        be.contract,
        expected=2,
        accept=lambda envelope: isinstance(envelope.data, be.MembershipChanged),
    )
    on_the_topic = {e.data.membership.organisation_id for e in published}  # type: ignore[union-attr]
    assert on_the_topic == set(world.organisations)
    keys = await world.db.rows("SELECT key FROM outbox WHERE event_type = :t", t=CHANGED)
    assert {row.key for row in keys} == {str(o) for o in world.organisations}

    me = (await client.get("/me", headers=world.member(org))).json()
    assert me["person_id"] == founder
    assert me["memberships"] == [
        {"organisation_id": str(org), "organisation_name": "Idrettslag 0", "role": "administrator"}
    ]
    assert me["profile"] is None

    # A municipal admin registering for a club administers it too (and may invite and leave).
    by_admin = await client.post("/organisations", json=registration(1), headers=world.admin())
    assert by_admin.status_code == 201, by_admin.text
    assert await roles(world, uuid.UUID(by_admin.json()["id"])) == {
        service.person_id("admin-1"): "administrator"
    }
    # An integration with the admin scope registers without becoming a member.
    integration = service.token("club-register", scopes=["samspill.admin"])
    by_client = await client.post("/organisations", json=registration(2), headers=integration)
    assert by_client.status_code == 201, by_client.text
    assert await roles(world, uuid.UUID(by_client.json()["id"])) == {}
    # One without it may not register at all; nothing is stored.
    reader = service.token("calendar-sync", scopes=["samspill.read"])
    refused = await client.post("/organisations", json=registration(3), headers=reader)
    assert refused.status_code == 403, refused.text
    assert await world.db.scalar("SELECT count(*) FROM organisation") == 4


async def test_administrators_manage_members_and_members_leave(world: World):
    org, other = world.organisations
    client, service = world.service.client, world.service
    founder = world.member(org)
    await invite_and_accept(world, org, "ola", "booker")
    await invite_and_accept(world, org, "nora", "viewer")
    ola, nora = service.person_id("ola"), service.person_id("nora")

    members = await client.get(f"/organisations/{org}/members", headers=world.person("nora"))
    assert members.status_code == 200, members.text
    listed = {m["person_id"]: (m["role"], m["display_name"]) for m in members.json()}
    assert listed == {
        service.person_id(world.founders[org]): ("administrator", None),  # no profile yet
        ola: ("booker", "Ola"),
        nora: ("viewer", "Nora"),
    }
    outsider = await client.get(f"/organisations/{org}/members", headers=world.member(other))
    assert outsider.status_code == 404

    # Only administrators change roles or remove others: 403, nothing changed.
    before = await membership_events(world, org)
    for method, url, body in (
        ("PATCH", f"/organisations/{org}/members/{nora}", {"role": "booker"}),
        ("DELETE", f"/organisations/{org}/members/{nora}", None),
    ):
        refused = await client.request(method, url, json=body, headers=world.person("ola"))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["detail_nb"]
    not_member = await client.patch(
        f"/organisations/{org}/members/{service.person_id('nobody')}",
        json={"role": "viewer"},
        headers=founder,
    )
    assert not_member.status_code == 404
    bad_role = await client.patch(
        f"/organisations/{org}/members/{nora}", json={"role": "owner"}, headers=founder
    )
    assert bad_role.status_code == 422
    assert await membership_events(world, org) == before

    promoted = await client.patch(
        f"/organisations/{org}/members/{nora}", json={"role": "booker"}, headers=founder
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "booker"
    assert promoted.json()["display_name"] == "Nora"
    removed = await client.delete(f"/organisations/{org}/members/{ola}", headers=founder)
    assert removed.status_code == 204, removed.text
    left = await client.delete(f"/organisations/{org}/members/{nora}", headers=world.person("nora"))
    assert left.status_code == 204, left.text
    assert await membership_events(world, org) == [
        *before,
        (nora, "booker"),
        (ola, None),
        (nora, None),
    ]
    assert await roles(world, org) == {service.person_id(world.founders[org]): "administrator"}
    # Removed, the same token no longer reaches the organisation.
    gone = await client.get(f"/organisations/{org}", headers=world.person("ola"))
    assert gone.status_code == 404


async def test_the_last_administrator_stays(world: World):
    org = world.organisations[0]
    client, service = world.service.client, world.service
    founder_sub = world.founders[org]
    founder = service.person_id(founder_sub)
    await invite_and_accept(world, org, "ola", "booker")
    before = await membership_events(world, org)
    for method, body in (("PATCH", {"role": "viewer"}), ("DELETE", None)):
        refused = await client.request(
            method,
            f"/organisations/{org}/members/{founder}",
            json=body,
            headers=world.member(org),
        )
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["type"].endswith("/last-administrator")
        assert "administrator" in refused.json()["detail_nb"]
    assert await membership_events(world, org) == before
    assert (await roles(world, org))[founder] == "administrator"

    # With a second administrator the first may leave.
    made = await client.patch(
        f"/organisations/{org}/members/{service.person_id('ola')}",
        json={"role": "administrator"},
        headers=world.member(org),
    )
    assert made.status_code == 200, made.text
    left = await client.delete(f"/organisations/{org}/members/{founder}", headers=world.member(org))
    assert left.status_code == 204, left.text
    assert await roles(world, org) == {service.person_id("ola"): "administrator"}


async def test_two_administrators_stepping_down_at_once_leave_one(world: World):
    """Each demotion alone is allowed; together they would leave none. The organisation's row
    lock makes the second see the first: one passes, the other is refused."""
    org = world.organisations[0]
    client, service = world.service.client, world.service
    await invite_and_accept(world, org, "ola", "administrator")
    founder, ola = service.person_id(world.founders[org]), service.person_id("ola")
    for attempt in range(5):
        answers = await asyncio.gather(
            client.patch(
                f"/organisations/{org}/members/{founder}",
                json={"role": "booker"},
                headers=world.member(org),
            ),
            client.patch(
                f"/organisations/{org}/members/{ola}",
                json={"role": "booker"},
                headers=world.person("ola"),
            ),
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        current = await roles(world, org)
        assert list(current.values()).count("administrator") == 1, (attempt, current)
        # Make the one who stepped down an administrator again for the next round.
        stepped_down = next(p for p, role in current.items() if role == "booker")
        keeper = world.member(org) if current[founder] == "administrator" else world.person("ola")
        again = await client.patch(
            f"/organisations/{org}/members/{stepped_down}",
            json={"role": "administrator"},
            headers=keeper,
        )
        assert again.status_code == 200, again.text
    events = await membership_events(world, org)
    assert len([e for e in events if e[1] == "booker"]) == 5, "one event per change that passed"


async def test_a_viewer_sees_the_bookings_but_may_not_book_or_cancel(world: World):
    org = world.organisations[0]
    client = world.service.client
    await invite_and_accept(world, org, "nora", "viewer")
    await invite_and_accept(world, org, "ola", "booker")
    day = ordinary_day(9, weekday=2)
    booking = {
        "space_id": str(world.other_gym),
        "organisation_id": str(org),
        "start": iso(at(day, 18)),
        "end": iso(at(day, 19)),
        "activity": "Innebandy",
        "audience": "non_profit",
        "participants": 10,
    }
    refused = await client.post("/bookings", json=booking, headers=world.person("nora"))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert "viewer" in refused.json()["detail"]
    assert "booker" in refused.json()["detail_nb"]
    assert await world.db.scalar("SELECT count(*) FROM booking") == 0

    booked = await client.post("/bookings", json=booking, headers=world.person("ola"))
    assert booked.status_code == 201, booked.text
    booking_id = booked.json()["booking_id"]
    seen = await client.get(f"/bookings/{booking_id}", headers=world.person("nora"))
    assert seen.status_code == 200
    assert [
        b["booking_id"]
        for b in (await client.get("/bookings", headers=world.person("nora"))).json()
    ] == [booking_id]
    cancel = await client.post(f"/bookings/{booking_id}/cancel", headers=world.person("nora"))
    assert cancel.status_code == 403, cancel.text
    assert (await client.get(f"/bookings/{booking_id}", headers=world.member(org))).json()[
        "status"
    ] == "confirmed"

    # Removed from the organisation, the booker's same token books nothing more (404).
    ola = world.service.person_id("ola")
    removed = await client.delete(f"/organisations/{org}/members/{ola}", headers=world.member(org))
    assert removed.status_code == 204
    later = {**booking, "start": iso(at(day, 19)), "end": iso(at(day, 20))}
    after = await client.post("/bookings", json=later, headers=world.person("ola"))
    assert after.status_code == 404, after.text
