"""Requisitions: the municipality's emergency staff (or an admin) take a site or some of its
spaces for a period and lift it, each published for booking; anyone else is refused, as are
an end before the start and a second lift. Sites' preparedness facts are kept with the site."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest

from samspill.recurrence import OSLO
from tests.dates import ordinary_day
from tests.integration.facilities.conftest import Facilities, assert_problem, site_body

pytestmark = pytest.mark.slow

EMERGENCY = "emergency-1"


def _at(days: int, hour: int) -> str:
    return datetime.combine(ordinary_day(days), time(hour), OSLO).isoformat()


async def _school(facilities: Facilities) -> tuple[str, str]:
    """A school with a gym: their ids."""
    client, admin = facilities.svc.client, facilities.admin
    site = await client.post("/sites", json=site_body("Rekvisisjonsskolen"), headers=admin)
    assert site.status_code == 201, site.text
    site_id = site.json()["site_id"]
    body = {"site_id": site_id, "name": "Gymsal", "kind": "gym", "capacity": 60}
    space = await client.post("/spaces", json=body, headers=admin)
    assert space.status_code == 201, space.text
    await facilities.outbox.new_events()
    return site_id, space.json()["space_id"]


async def _emergency_staff(facilities: Facilities) -> dict[str, str]:
    grant = await facilities.grant("/emergency-staff", EMERGENCY)
    assert grant["kind"] == "emergency"
    await facilities.outbox.expect("staff_grants.changed")
    return facilities.svc.token(EMERGENCY)


def _body(site_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "start": _at(20, 8),
        "end": _at(22, 22),
        "reason": "Evakuering etter flom",
        **overrides,
    }


async def test_emergency_staff_requisition_and_lift(facilities: Facilities) -> None:
    site_id, space_id = await _school(facilities)
    staff = await _emergency_staff(facilities)
    client = facilities.svc.client

    created = await client.post(
        "/requisitions", json=_body(site_id, space_ids=[space_id]), headers=staff
    )
    assert created.status_code == 201, created.text
    requisition = created.json()
    assert requisition["site_name"] == "Rekvisisjonsskolen"
    assert requisition["space_ids"] == [space_id]
    assert requisition["lifted"] is False
    started = await facilities.outbox.expect_one("requisition.started")
    assert started["requisition"]["requisition_id"] == requisition["requisition_id"]
    assert started["requisition"]["reason"] == "Evakuering etter flom"

    listed = await client.get("/requisitions", params={"active": "true"}, headers=staff)
    assert listed.status_code == 200, listed.text
    assert [r["requisition_id"] for r in listed.json()["items"]] == [requisition["requisition_id"]]

    path = f"/requisitions/{requisition['requisition_id']}/lift"
    lifted = await client.post(path, headers=staff)
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["lifted"] is True
    event = await facilities.outbox.expect_one("requisition.lifted")
    assert event["requisition"]["requisition_id"] == requisition["requisition_id"]

    # Lifting twice: 409, nothing published.
    assert_problem(await client.post(path, headers=staff), 409)
    await facilities.outbox.expect()
    still = await client.get("/requisitions", params={"active": "true"}, headers=staff)
    assert still.json()["items"] == []


async def test_an_admin_may_requisition_and_lift(facilities: Facilities) -> None:
    site_id, _ = await _school(facilities)
    client, admin = facilities.svc.client, facilities.admin
    created = await client.post("/requisitions", json=_body(site_id), headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["space_ids"] == []
    path = f"/requisitions/{created.json()['requisition_id']}/lift"
    assert (await client.post(path, headers=admin)).status_code == 200
    await facilities.outbox.expect("requisition.started", "requisition.lifted")


async def test_requisitions_refused_to_others_and_bad_input(facilities: Facilities) -> None:
    site_id, _ = await _school(facilities)
    client = facilities.svc.client
    manager = await facilities.manager(site_id)
    await facilities.outbox.new_events()
    before = await facilities.outbox.counts()

    # The site's own manager is not emergency staff.
    body = assert_problem(
        await client.post("/requisitions", json=_body(site_id), headers=manager), 403
    )
    assert body["required_roles"] == ["emergency_staff"]
    assert_problem(await client.get("/requisitions", headers=manager), 403)
    resident = facilities.svc.token("resident-1")
    assert_problem(await client.post("/requisitions", json=_body(site_id), headers=resident), 403)
    assert (await client.post("/requisitions", json=_body(site_id))).status_code == 401

    staff = await _emergency_staff(facilities)
    before = await facilities.outbox.counts()
    backwards = _body(site_id, start=_at(22, 8), end=_at(20, 8))
    assert_problem(await client.post("/requisitions", json=backwards, headers=staff), 422)
    equal = _body(site_id, start=_at(20, 8), end=_at(20, 8))
    assert_problem(await client.post("/requisitions", json=equal, headers=staff), 422)
    assert await facilities.outbox.counts() == before
    await facilities.outbox.expect()

    # A revoked grant stops working at the next request.
    path = f"/emergency-staff/{facilities.svc.person_id(EMERGENCY)}"
    assert (await client.delete(path, headers=facilities.admin)).status_code == 204
    assert_problem(await client.post("/requisitions", json=_body(site_id), headers=staff), 403)


async def test_site_preparedness_facts(facilities: Facilities) -> None:
    site_id, _ = await _school(facilities)
    client = facilities.svc.client
    manager = await facilities.manager(site_id)
    await facilities.outbox.new_events()
    assert (await client.get(f"/sites/{site_id}")).json()["preparedness"] is None

    facts = {
        "evacuation_capacity": 300,
        "beds": 80,
        "kitchen": True,
        "backup_power": True,
        "water": False,
        "notes": "Nøkkel hos vaktmester",
    }
    answer = await client.put(f"/sites/{site_id}/preparedness", json=facts, headers=manager)
    assert answer.status_code == 200, answer.text
    assert answer.json()["preparedness"] == facts
    updated = await facilities.outbox.expect_one("site.updated")
    assert updated["site"]["preparedness"] == facts
    assert (await client.get(f"/sites/{site_id}")).json()["preparedness"] == facts

    # A resident may not; a negative capacity is refused.
    resident = facilities.svc.token("resident-1")
    assert_problem(
        await client.put(f"/sites/{site_id}/preparedness", json=facts, headers=resident), 403
    )
    bad = {**facts, "evacuation_capacity": -1}
    assert_problem(
        await client.put(f"/sites/{site_id}/preparedness", json=bad, headers=manager), 422
    )
    await facilities.outbox.expect()
