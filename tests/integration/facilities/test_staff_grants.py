"""Staff grants are data facilities owns: a municipal admin makes a person manager of a site or
staff of an equipment centre and revokes it; each change announces the person's whole current
grants on the broker; tokens carry identity only, so nothing a token claims grants anything,
and a revoked grant stops working at the next request."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from samspill.events import facilities as contract
from samspill.kafka import KafkaConfig, new_consumer, start_client, stop_client
from tests.integration.facilities.conftest import Facilities, assert_problem, site_body

pytestmark = pytest.mark.slow

CHANGED = "staff_grants.changed"
UNKNOWN = str(uuid.uuid4())


async def _sites(facilities: Facilities, *names: str) -> list[str]:
    """Register sites (a name starting with 'BUA' is an equipment centre); their ids."""
    ids = []
    for name in names:
        kind = "equipment_centre" if name.startswith("BUA") else "school"
        body = site_body(name, kind=kind)
        response = await facilities.svc.client.post("/sites", json=body, headers=facilities.admin)
        assert response.status_code == 201, response.text
        ids.append(response.json()["site_id"])
    await facilities.outbox.new_events()  # the registrations: not what these tests are about
    return ids


async def _keyed_grant_events(
    kafka: KafkaConfig, person_id: str, expected: int, timeout: float = 30.0
) -> list[contract.StaffGrantsState]:
    """The person's `staff_grants.changed` events as the broker holds them, in the order of
    their key (the person), read from the start of the topic."""
    consumer = new_consumer(kafka, contract.TOPIC, group_id=None)
    await start_client(consumer, kafka.request_timeout_s)
    found: list[contract.StaffGrantsState] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    envelope = contract.contract.decode(record.headers, record.value)
                    if isinstance(envelope.data, contract.StaffGrantsChanged) and (
                        record.key == person_id.encode()
                    ):
                        assert envelope.subject == person_id
                        found.append(envelope.data.grants)
    finally:
        await stop_client(consumer, kafka.request_timeout_s)
    return found


def _m(site_id: str, person_id: str = "") -> str:
    return f"/sites/{site_id}/managers" + (f"/{person_id}" if person_id else "")


def _s(centre_id: str, person_id: str = "") -> str:
    return f"/centres/{centre_id}/staff" + (f"/{person_id}" if person_id else "")


def _state(
    person_id: str, sites: list[str], centres: list[str], *, emergency: bool = False
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "site_ids": sorted(sites),
        "centre_ids": sorted(centres),
        "emergency": emergency,
    }


async def test_an_admin_makes_a_person_emergency_staff(facilities: Facilities) -> None:
    client, admin, outbox, svc = (
        facilities.svc.client,
        facilities.admin,
        facilities.outbox,
        facilities.svc,
    )
    (school,) = await _sites(facilities, "Kjeller skole")
    ola = svc.person_id("ola")
    path = f"/emergency-staff/{ola}"
    assert_problem(await client.put(path, headers=svc.token("ola")), 403)

    granted = await client.put(path, headers=admin)
    assert granted.status_code == 201, granted.text
    assert granted.json()["kind"] == "emergency"
    assert granted.json()["object_id"] == "municipality"
    assert (await outbox.expect_one(CHANGED))["grants"] == _state(ola, [], [], emergency=True)
    assert (await client.put(path, headers=admin)).status_code == 200
    await outbox.expect()

    response = await client.put(f"/sites/{school}/managers/{ola}", headers=admin)
    assert response.status_code == 201, response.text
    both = _state(ola, [school], [], emergency=True)
    assert (await outbox.expect_one(CHANGED))["grants"] == both
    listed = await client.get(
        "/staff-grants", params={"person_id": ola, "kind": "emergency"}, headers=admin
    )
    assert [g["object_id"] for g in listed.json()["items"]] == ["municipality"]

    assert (await client.delete(path, headers=admin)).status_code == 204
    assert (await outbox.expect_one(CHANGED))["grants"] == _state(ola, [school], [])
    assert_problem(await client.delete(path, headers=admin), 404)


async def test_an_admin_grants_lists_and_revokes(facilities: Facilities) -> None:
    client, admin, outbox, svc = (
        facilities.svc.client,
        facilities.admin,
        facilities.outbox,
        facilities.svc,
    )
    school, other_school, centre = await _sites(facilities, "Kjeller skole", "Volla skole", "BUA")
    kari = svc.person_id("kari")
    as_kari = svc.token("kari")
    manager_path = f"/sites/{school}/managers/{kari}"

    granted = await client.put(manager_path, headers=admin)
    assert granted.status_code == 201, granted.text
    grant = granted.json()
    assert grant == {
        "person_id": kari,
        "kind": "site",
        "object_id": school,
        "granted_by": svc.person_id("admin-1"),
        "granted_at": grant["granted_at"],
    }
    assert (await outbox.expect_one(CHANGED))["grants"] == _state(kari, [school], [])

    again = await client.put(manager_path, headers=admin)
    assert again.status_code == 200, again.text
    assert again.json() == grant
    await outbox.expect()  # granting what is held changes nothing and announces nothing

    response = await client.put(f"/centres/{centre}/staff/{kari}", headers=admin)
    assert response.status_code == 201, response.text
    assert (await outbox.expect_one(CHANGED))["grants"] == _state(kari, [school], [centre])
    response = await client.put(f"/sites/{other_school}/managers/{kari}", headers=admin)
    assert response.status_code == 201, response.text
    everything = _state(kari, [school, other_school], [centre])
    assert (await outbox.expect_one(CHANGED))["grants"] == everything

    for headers in (admin, as_kari):  # admins and the site's own managers see its managers
        managers = await client.get(f"/sites/{school}/managers", headers=headers)
        assert managers.status_code == 200, managers.text
        assert [m["person_id"] for m in managers.json()["items"]] == [kari]
    staff = (await client.get(f"/centres/{centre}/staff", headers=as_kari)).json()
    assert [(s["person_id"], s["kind"], s["object_id"]) for s in staff["items"]] == [
        (kari, "centre", centre)
    ]
    listed = await client.get("/staff-grants", params={"person_id": kari}, headers=admin)
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 3
    assert listed.json()["items"][0] == grant
    centres_only = await client.get(
        "/staff-grants", params={"person_id": kari, "kind": "centre"}, headers=admin
    )
    assert [g["object_id"] for g in centres_only.json()["items"]] == [centre]

    revoked = await client.delete(manager_path, headers=admin)
    assert revoked.status_code == 204, revoked.text
    assert (await outbox.expect_one(CHANGED))["grants"] == _state(kari, [other_school], [centre])
    assert_problem(await client.delete(manager_path, headers=admin), 404)
    await outbox.expect()
    managers = await client.get(f"/sites/{school}/managers", headers=admin)
    assert managers.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}

    for path in (f"/sites/{other_school}/managers/{kari}", f"/centres/{centre}/staff/{kari}"):
        assert (await client.delete(path, headers=admin)).status_code == 204
    _, nothing = await outbox.expect(CHANGED, CHANGED)
    assert nothing["grants"] == _state(kari, [], [])
    left = await client.get("/staff-grants", params={"person_id": kari}, headers=admin)
    assert left.json()["total"] == 0

    on_the_broker = await _keyed_grant_events(facilities.kafka, kari, expected=6)
    assert [s.model_dump(mode="json") for s in on_the_broker] == [
        _state(kari, [school], []),
        _state(kari, [school], [centre]),
        everything,
        _state(kari, [other_school], [centre]),
        _state(kari, [], [centre]),
        _state(kari, [], []),
    ]


async def test_bad_grants_are_refused_and_change_nothing(facilities: Facilities) -> None:
    client, admin, svc = facilities.svc.client, facilities.admin, facilities.svc
    school, other_school, centre = await _sites(facilities, "Kjeller skole", "Volla skole", "BUA")
    manager = await facilities.manager(school)
    staff = await facilities.staff(centre)
    me_manager, me_staff = svc.person_id("manager-1"), svc.person_id("staff-1")
    someone = svc.person_id("someone")
    resident = svc.token("resident-1")
    integration = svc.token("some-integration", scopes=["samspill.read"])
    forged = _forged_token(facilities, site_ids=[other_school], centre_ids=[centre])
    refused: list[tuple[str, str, str, dict[str, str] | None, int]] = [
        (
            "a manager grants themself another site",
            "PUT",
            _m(other_school, me_manager),
            manager,
            403,
        ),
        ("a manager grants themself their own site", "PUT", _m(school, me_manager), manager, 403),
        ("a manager grants a colleague", "PUT", _m(school, someone), manager, 403),
        ("a manager revokes themself", "DELETE", _m(school, me_manager), manager, 403),
        ("a manager makes themself centre staff", "PUT", _s(centre, me_manager), manager, 403),
        ("staff grant themself a site", "PUT", _m(school, me_staff), staff, 403),
        ("staff grant a colleague", "PUT", _s(centre, someone), staff, 403),
        ("staff revoke themself", "DELETE", _s(centre, me_staff), staff, 403),
        ("a manager lists every grant", "GET", "/staff-grants", manager, 403),
        ("staff list their own grants", "GET", f"/staff-grants?person_id={me_staff}", staff, 403),
        ("a manager lists another site's managers", "GET", _m(other_school), manager, 403),
        ("a manager lists a centre's staff", "GET", _s(centre), manager, 403),
        ("staff list a school's managers", "GET", _m(school), staff, 403),
        ("a resident grants", "PUT", _m(school, someone), resident, 403),
        ("a token claiming grants grants", "PUT", _m(other_school, someone), forged, 403),
        ("a token claiming grants lists", "GET", _s(centre), forged, 403),
        ("an integration without the admin scope", "PUT", _m(school, someone), integration, 403),
        ("no token", "PUT", _m(school, someone), None, 401),
        ("no token revokes", "DELETE", _m(school, me_manager), None, 401),
        ("no token lists", "GET", _m(school), None, 401),
        ("no token lists every grant", "GET", "/staff-grants", None, 401),
        ("an unknown site", "PUT", _m(UNKNOWN, someone), admin, 404),
        ("an unknown centre", "PUT", _s(UNKNOWN, someone), admin, 404),
        ("a school is no equipment centre", "PUT", _s(school, someone), admin, 404),
        ("the managers of an unknown site", "GET", _m(UNKNOWN), admin, 404),
        ("revoking what is not held", "DELETE", _m(other_school, me_manager), admin, 404),
        ("revoking at an unknown site", "DELETE", _m(UNKNOWN, me_manager), admin, 404),
        ("a person id that is no UUID", "PUT", _m(school, "kari"), admin, 422),
        ("a site's id as a person id", "PUT", _m(school, other_school), admin, 422),
        (
            "an integration as a person",
            "PUT",
            _m(school, "client:samspill-integration"),
            admin,
            422,
        ),
        ("a site id that is no UUID", "PUT", _m("kjeller", someone), admin, 422),
        ("grants of no person", "GET", "/staff-grants?person_id=kari", admin, 422),
        ("grants of an unknown kind", "GET", "/staff-grants?kind=janitor", admin, 422),
    ]
    before = await facilities.outbox.counts()
    for label, method, path, headers, status in refused:
        response = await client.request(method, path, headers=headers)
        assert response.status_code == status, (label, response.text)
        assert_problem(response, status)
        assert await facilities.outbox.counts() == before, label
    # Nothing a token claims is a grant: the forged site stays out of reach.
    patch = await client.patch(
        f"/sites/{other_school}", json={"address": "Ny vei 1"}, headers=forged
    )
    assert_problem(patch, 403)
    body = {"name": "Ski", "category": "ski"}
    assert_problem(
        await client.post(f"/centres/{centre}/item-types", json=body, headers=forged), 403
    )


def _forged_token(facilities: Facilities, **claims: Any) -> dict[str, str]:
    """A validly signed token that also claims roles and sites, as tokens used to."""
    settings, now = facilities.svc.settings, datetime.now(UTC)
    payload = {
        "sub": "forger",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=10),
        "roles": ["facility_manager", "centre_staff"],
        "scope": "samspill.admin",  # a person's scope makes no admin; only the admin group does
        **claims,
    }
    return {"Authorization": f"Bearer {jwt.encode(payload, settings.jwt_secret, 'HS256')}"}


async def test_a_revoked_grant_stops_working_at_once(facilities: Facilities) -> None:
    client, admin, svc = facilities.svc.client, facilities.admin, facilities.svc
    school, centre = await _sites(facilities, "Kjeller skole", "BUA")
    manager = await facilities.manager(school)
    staff = await facilities.staff(centre)
    address = {"address": "Kjellerveien 8"}
    assert (
        await client.patch(f"/sites/{school}", json=address, headers=manager)
    ).status_code == 200
    item = {"name": "Ski", "category": "ski"}
    path = f"/centres/{centre}/item-types"
    assert (await client.post(path, json=item, headers=staff)).status_code == 201

    manager_grant = f"/sites/{school}/managers/{svc.person_id('manager-1')}"
    assert (await client.delete(manager_grant, headers=admin)).status_code == 204
    staff_grant = f"/centres/{centre}/staff/{svc.person_id('staff-1')}"
    assert (await client.delete(staff_grant, headers=admin)).status_code == 204

    assert_problem(await client.patch(f"/sites/{school}", json=address, headers=manager), 403)
    assert_problem(await client.get(f"/sites/{school}/managers", headers=manager), 403)
    other = {"name": "Skøyter", "category": "skøyter"}
    assert_problem(await client.post(path, json=other, headers=staff), 403)
    assert_problem(await client.get(f"/centres/{centre}/staff", headers=staff), 403)


async def test_an_integration_with_the_admin_scope_is_an_admin(facilities: Facilities) -> None:
    client, svc = facilities.svc.client, facilities.svc
    (school,) = await _sites(facilities, "Kjeller skole")
    integration = svc.token("samspill-integration", scopes=["samspill.admin"])
    path = f"/sites/{school}/managers/{svc.person_id('kari')}"
    response = await client.put(path, headers=integration)
    assert response.status_code == 201, response.text
    assert response.json()["granted_by"] == "client:samspill-integration"
    await facilities.outbox.expect_one(CHANGED)
    listed = await client.get("/staff-grants", headers=integration)
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 1
    assert (await client.delete(path, headers=integration)).status_code == 204
    await facilities.outbox.expect_one(CHANGED)


async def test_concurrent_grants_for_one_person_end_in_an_event_holding_all(
    facilities: Facilities,
) -> None:
    """Each change locks the person until it commits, so no event misses a grant made at the
    same time, and the broker's last word for the person holds everything."""
    client, admin, svc = facilities.svc.client, facilities.admin, facilities.svc
    schools = await _sites(facilities, *(f"Skole {n}" for n in range(6)))
    centres = await _sites(facilities, "BUA Lillestrøm", "BUA Fetsund")
    busy = svc.person_id("busy")
    paths = [f"/sites/{s}/managers/{busy}" for s in schools]
    paths += [f"/centres/{c}/staff/{busy}" for c in centres]
    responses = await asyncio.gather(*(client.put(path, headers=admin) for path in paths))
    assert [r.status_code for r in responses] == [201] * len(paths), [r.text for r in responses]

    events = [e["grants"] for e in await facilities.outbox.expect(*[CHANGED] * len(paths))]
    sizes = [len(e["site_ids"]) + len(e["centre_ids"]) for e in events]
    assert sizes == list(range(1, len(paths) + 1)), events
    assert events[-1] == _state(busy, schools, centres)

    on_the_broker = await _keyed_grant_events(facilities.kafka, busy, expected=len(paths))
    assert on_the_broker[-1].model_dump(mode="json") == _state(busy, schools, centres)
    granted = await client.get("/staff-grants", params={"person_id": busy}, headers=admin)
    assert granted.json()["total"] == len(paths)
