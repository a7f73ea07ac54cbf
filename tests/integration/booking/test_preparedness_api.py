"""Organisations' emergency preparedness against the real service, database and broker: the
club's administrators register it, its members read it without the 24/7 contact, the
emergency staff (a facilities grant fed through the broker) and the municipal admin read it
with the contact, every view of a contact is in the access log, bad input is refused with
nothing changed, and the overview sums the resources by district."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from samspill.events import facilities as fe
from tests.integration.booking.booking_support import feed
from tests.integration.booking.test_memberships_members import invite_and_accept
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow]

PROBLEM = "application/problem+json"
CONTACT = {"name": "Vakt Hansen", "phone": "+4791234567"}
REGISTRATION: dict[str, Any] = {
    "volunteers": {"Førstehjelp": 6, "sjåfør": 2},
    "equipment": ["Telt for 40", "Aggregat"],
    "vehicles": ["Minibuss (9 seter)"],
    "contact_24_7": CONTACT,
    "agreements": ["Avtale om bistand ved evakuering (2026)"],
}


async def emergency_staff(world: World, sub: str = "beredskap-1") -> dict[str, str]:
    """A person facilities granted the emergency role, applied by booking from the event."""
    state = fe.StaffGrantsState(
        person_id=world.service.person_id(sub), site_ids=[], centre_ids=[], emergency=True
    )
    await feed(world.kafka, world.db, [fe.StaffGrantsChanged(grants=state)])
    return world.person(sub)


async def test_who_sees_the_24_7_contact(world: World):
    client = world.service.client
    club, other = world.organisations
    path = f"/organisations/{club}/preparedness"

    empty = await client.get(path, headers=world.member(club))
    assert empty.status_code == 200, empty.text
    assert empty.json()["updated_at"] is None
    assert empty.json()["contact_24_7_registered"] is False

    saved = await client.put(path, json=REGISTRATION, headers=world.member(club))
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["volunteers"] == {"Førstehjelp": 6, "sjåfør": 2}
    assert body["contact_24_7_registered"] is True
    assert body["contact_24_7"] is None  # not even the club's administrator reads it back

    await invite_and_accept(world, club, "viewer-1", "viewer")
    for headers in (world.member(club), world.person("viewer-1")):
        read = await client.get(path, headers=headers)
        assert read.status_code == 200
        assert read.json()["contact_24_7"] is None
        assert read.json()["equipment"] == ["Telt for 40", "Aggregat"]
        assert "Hansen" not in read.text
        assert "91234567" not in read.text

    # Everyone else: not found (another club, a resident, a site's manager).
    manager = await world.manager(world.school)
    for headers in (world.member(other), world.resident(), manager):
        assert (await client.get(path, headers=headers)).status_code == 404
    assert (await client.get(path)).status_code == 401

    staff = await emergency_staff(world)
    assert (await client.get("/me", headers=staff)).json()["is_emergency_staff"] is True
    assert (await client.get("/me", headers=manager)).json()["is_emergency_staff"] is False
    for headers in (staff, world.admin()):
        read = await client.get(path, headers=headers)
        assert read.status_code == 200, read.text
        assert read.json()["contact_24_7"] == CONTACT
    logged = await world.db.scalar(
        "SELECT count(*) FROM access_log WHERE subject_kind = 'preparedness_contact'"
        f" AND subject_id = '{club}'"
    )
    assert logged == 2

    # The emergency staff read but do not write a club's registration.
    assert (await client.put(path, json=REGISTRATION, headers=staff)).status_code == 404

    # Left out, the contact is kept; null removes it.
    kept = dict(REGISTRATION)
    del kept["contact_24_7"]
    assert (await client.put(path, json=kept, headers=world.member(club))).status_code == 200
    assert (await client.get(path, headers=staff)).json()["contact_24_7"] == CONTACT
    removed = {**kept, "contact_24_7": None}
    assert (await client.put(path, json=removed, headers=world.member(club))).status_code == 200
    assert (await client.get(path, headers=staff)).json()["contact_24_7"] is None


async def test_bad_input_is_refused_and_changes_nothing(world: World):
    client = world.service.client
    club = world.organisations[0]
    path = f"/organisations/{club}/preparedness"
    assert (
        await client.put(path, json=REGISTRATION, headers=world.member(club))
    ).status_code == 200
    before = (await client.get(path, headers=world.admin())).json()
    for bad in (
        {"volunteers": {"Førstehjelp": -1}},
        {"volunteers": {"": 3}},
        {"volunteers": {"Førstehjelp": 2, "førstehjelp ": 3}},
        {"volunteers": {"Førstehjelp": "mange"}},
        {"equipment": ["x" * 201]},
        {"equipment": [""]},
        {"vehicles": ["Bil"] * 51},
        {"contact_24_7": {"name": "Vakt", "phone": "not a number"}},
        {"contact_24_7": {"phone": "+4791234567"}},
        {"contact_24_7": {"name": "Vakt", "phone": "+4791234567", "email": "a@b.no"}},
        {"helicopters": 1},
        [],
    ):
        refused = await client.put(path, json=bad, headers=world.member(club))
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
    assert (await client.get(path, headers=world.admin())).json() == before
    unknown = f"/organisations/{uuid.uuid4()}/preparedness"
    assert (await client.get(unknown, headers=world.admin())).status_code == 404
    assert (await client.put(unknown, json={}, headers=world.admin())).status_code == 404
    assert (
        await client.get("/preparedness/overview", params={"district": ""}, headers=world.admin())
    ).status_code == 422


async def test_the_overview_sums_resources_by_district(world: World):
    client = world.service.client
    first, second = world.organisations
    third = await world.register("Speidergruppa", 7)
    for organisation, volunteers in (
        (first, {"Førstehjelp": 6, "Sjåfør": 2}),
        (second, {"førstehjelp": 4}),
        (third, {"Matlaging": 10}),
    ):
        answer = await client.put(
            f"/organisations/{organisation}/preparedness",
            json={**REGISTRATION, "volunteers": volunteers},
            headers=world.member(organisation),
        )
        assert answer.status_code == 200, answer.text

    # Only the emergency staff and the admin.
    for headers in (world.member(first), world.resident(), await world.manager(world.school)):
        assert (await client.get("/preparedness/overview", headers=headers)).status_code == 403
    staff = await emergency_staff(world)
    overview = await client.get(
        "/preparedness/overview", params={"district": "Lillestrøm sentrum"}, headers=staff
    )
    assert overview.status_code == 200, overview.text
    [district] = overview.json()["districts"]
    assert district["district"] == "Lillestrøm sentrum"
    assert district["volunteers_by_skill"] == {"Førstehjelp": 10, "Matlaging": 10, "Sjåfør": 2}
    assert district["volunteer_total"] == 22
    assert district["vehicle_count"] == 3
    assert [o["name"] for o in district["organisations"]] == [
        "Idrettslag 0",
        "Idrettslag 1",
        "Speidergruppa",
    ]
    assert all(o["contact_24_7"] == CONTACT for o in district["organisations"])

    everything = await client.get("/preparedness/overview", headers=world.admin())
    assert everything.status_code == 200
    sites = [s for d in everything.json()["districts"] for s in d["sites"]]
    assert {s["name"] for s in sites} >= {"Volla skole", "Kjeller skole"}
    nowhere = await client.get(
        "/preparedness/overview", params={"district": "Blaker"}, headers=staff
    )
    assert nowhere.json()["districts"][0]["organisations"] == []
