"""Every mutating endpoint records exactly one event of its type, valid by its exported schema.

Where a change also alters other aggregates, the extra events are named explicitly: adding a
part to a divisible hall re-announces the hall (`space.updated`, its conflict set grew), and
switching a site's public-holiday flag schedules or lifts the holiday closures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samspill.events import facilities as contract
from samspill.recurrence import local_date, norwegian_public_holidays
from tests.dates import ordinary_day
from tests.integration.facilities.conftest import Facilities, site_body
from tests.integration.kernel_support import read_envelopes

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

FUTURE = ordinary_day(30)


async def test_each_change_is_one_event_with_the_full_state(facilities: Facilities) -> None:
    client, outbox = facilities.svc.client, facilities.outbox
    site = (
        await client.post("/sites", json=site_body("Kjeller skole"), headers=facilities.admin)
    ).json()
    site_id = site["site_id"]
    assert (await outbox.expect_one("site.registered"))["site"] == site
    manager = await facilities.manager(site_id)
    await outbox.expect_one("staff_grants.changed")

    response = await client.patch(
        f"/sites/{site_id}", json={"address": "Kjellerveien 8"}, headers=manager
    )
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("site.updated"))["site"]["address"] == "Kjellerveien 8"

    gym = await _post(facilities, "/spaces", _space(site_id, "Gymsal", "gym", 120), manager)
    assert (await outbox.expect_one("space.registered"))["space"] == gym
    part_a = await _post(
        facilities,
        "/spaces",
        _space(site_id, "Gymsal A", "hall_part", 40, gym["space_id"]),
        manager,
    )
    registered, hall = await outbox.expect("space.registered", "space.updated")
    assert registered["space"]["conflicts_with"] == [gym["space_id"]]
    assert hall["space"]["space_id"] == gym["space_id"]
    assert hall["space"]["conflicts_with"] == [part_a["space_id"]]
    part_b = await _post(
        facilities,
        "/spaces",
        _space(site_id, "Gymsal B", "hall_part", 40, gym["space_id"]),
        manager,
    )
    _, hall = await outbox.expect("space.registered", "space.updated")
    assert sorted(hall["space"]["conflicts_with"]) == sorted(
        [part_a["space_id"], part_b["space_id"]]
    )

    response = await client.patch(
        f"/spaces/{part_b['space_id']}", json={"capacity": 45}, headers=manager
    )
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("space.updated"))["space"]["capacity"] == 45

    await _windows(facilities, gym["space_id"], manager)
    await _closures(facilities, site_id, gym["space_id"], manager)
    await _prices(facilities, gym["space_id"])
    await _equipment(facilities)

    response = await client.delete(f"/spaces/{part_a['space_id']}", headers=manager)
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("space.retired"))["space"]["retired"] is True

    await _holiday_flag(facilities, site_id, manager)
    await _events_reach_the_broker(facilities)


def _space(site_id: str, name: str, kind: str, capacity: int, parent: str | None = None) -> dict:
    return {
        "site_id": site_id,
        "name": name,
        "kind": kind,
        "capacity": capacity,
        "parent_id": parent,
    }


async def _post(facilities: Facilities, path: str, body: dict, headers: dict) -> dict:
    response = await facilities.svc.client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    result: dict = response.json()
    return result


async def _windows(facilities: Facilities, space_id: str, manager: dict) -> None:
    client, outbox = facilities.svc.client, facilities.outbox
    first_monday = FUTURE + timedelta(days=(7 - FUTURE.weekday()) % 7)
    weekly = {
        "weekdays": ["mandag", "tue", 3],
        "start_time": "17:00",
        "end_time": "22:00",
        "valid_from": first_monday.isoformat(),
        "valid_to": (first_monday + timedelta(days=60)).isoformat(),
    }
    window = await _post(facilities, f"/spaces/{space_id}/windows", weekly, manager)
    assert window["weekdays"] == [0, 1, 3]
    assert (await outbox.expect_one("window.released"))["window"] == window
    path = f"/spaces/{space_id}/windows/{window['window_id']}"
    body = {"dates": [(first_monday + timedelta(days=7)).isoformat()]}
    response = await client.post(f"{path}/withdraw-dates", json=body, headers=manager)
    assert response.status_code == 200, response.text
    withdrawn = await outbox.expect_one("window.withdrawn")
    assert withdrawn["dates"] == body["dates"] == withdrawn["window"]["withdrawn_dates"]
    response = await client.delete(path, headers=manager)
    assert response.status_code == 200, response.text
    whole = await outbox.expect_one("window.withdrawn")
    assert whole["dates"] == []
    assert whole["window"]["withdrawn"] is True
    one_off = {
        "kind": "one_off",
        "day": FUTURE.isoformat(),
        "start_time": "10:00",
        "end_time": "00:00",
    }
    await _post(facilities, f"/spaces/{space_id}/windows", one_off, manager)
    assert (await outbox.expect_one("window.released"))["window"]["kind"] == "one_off"


async def _closures(facilities: Facilities, site_id: str, space_id: str, manager: dict) -> None:
    client, outbox = facilities.svc.client, facilities.outbox
    body = {
        "space_id": space_id,
        "start": f"{FUTURE.isoformat()}T08:00:00+01:00",
        "end": f"{(FUTURE + timedelta(days=5)).isoformat()}T16:00:00+01:00",
        "reason": "exam",
    }
    closure = await _post(facilities, "/closures", body, manager)
    assert closure["site_id"] == site_id
    assert (await outbox.expect_one("closure.scheduled"))["closure"] == closure
    response = await client.delete(f"/closures/{closure['closure_id']}", headers=manager)
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("closure.lifted"))["closure"]["closure_id"] == closure[
        "closure_id"
    ]
    whole_site = {**body, "space_id": None, "site_id": site_id, "reason": "maintenance"}
    await _post(facilities, "/closures", whole_site, manager)
    assert (await outbox.expect_one("closure.scheduled"))["closure"]["space_id"] is None


async def _prices(facilities: Facilities, space_id: str) -> None:
    client, outbox, admin = facilities.svc.client, facilities.outbox, facilities.admin
    body = {"space_id": space_id, "category": "commercial", "hourly_rate_ore": 50_000}
    rule = await _post(facilities, "/price-rules", body, admin)
    assert (await outbox.expect_one("price_rule.set"))["rule"] == rule
    again = await _post(facilities, "/price-rules", {**body, "hourly_rate_ore": 55_000}, admin)
    assert again["rule_id"] == rule["rule_id"]
    assert (await outbox.expect_one("price_rule.set"))["rule"]["hourly_rate_ore"] == 55_000
    path = f"/price-rules/{rule['rule_id']}"
    response = await client.patch(path, json={"evening_rate_ore": 60_000}, headers=admin)
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("price_rule.set"))["rule"]["evening_rate_ore"] == 60_000
    response = await client.delete(path, headers=admin)
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("price_rule.set"))["rule"]["active"] is False


async def _equipment(facilities: Facilities) -> None:
    client, outbox = facilities.svc.client, facilities.outbox
    centre = await _post(
        facilities, "/sites", site_body("BUA Lillestrøm", kind="equipment_centre"), facilities.admin
    )
    await outbox.expect_one("site.registered")
    staff = await facilities.staff(centre["site_id"])
    await outbox.expect_one("staff_grants.changed")
    body = {
        "name": "Langrennsski",
        "category": "ski",
        "variant": "130 cm",
        "age_min": 6,
        "max_loan_days": 14,
    }
    item = await _post(facilities, f"/centres/{centre['site_id']}/item-types", body, staff)
    assert (await outbox.expect_one("item_type.registered"))["item_type"] == item
    path = f"/item-types/{item['item_type_id']}"
    response = await client.patch(path, json={"max_loan_days": 7}, headers=staff)
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("item_type.updated"))["item_type"]["max_loan_days"] == 7
    unit = await _post(facilities, f"{path}/units", {"label": "SKI-130-01"}, staff)
    assert (await outbox.expect_one("unit.added"))["unit"] == unit
    body = {"condition": "damaged", "notes": "Knekt spiss"}
    response = await client.patch(f"/units/{unit['unit_id']}", json=body, headers=staff)
    assert response.status_code == 200, response.text
    changed = await outbox.expect_one("unit.condition_changed")
    assert changed["previous_condition"] == "ok"
    assert changed["unit"]["condition"] == "damaged"
    response = await client.delete(f"/units/{unit['unit_id']}", headers=staff)
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("unit.retired"))["unit"]["condition"] == "retired"
    response = await client.delete(path, headers=staff)
    assert response.status_code == 200, response.text
    assert (await outbox.expect_one("item_type.updated"))["item_type"]["retired"] is True


async def _holiday_flag(facilities: Facilities, site_id: str, manager: dict) -> None:
    """Switching the flag on schedules the coming two years' public holidays as closures."""
    client, outbox = facilities.svc.client, facilities.outbox
    today = local_date(datetime.now(UTC))
    last = today + timedelta(days=2 * 365)
    holidays = [
        d for d in norwegian_public_holidays(range(today.year, last.year + 1)) if today <= d <= last
    ]
    response = await client.patch(
        f"/sites/{site_id}", json={"closes_on_public_holidays": True}, headers=manager
    )
    assert response.status_code == 200, response.text
    events = await outbox.expect("site.updated", *["closure.scheduled"] * len(holidays))
    assert all(e["closure"]["reason"] == "holiday" for e in events[1:])
    assert len(holidays) >= 20
    response = await client.patch(
        f"/sites/{site_id}", json={"closes_on_public_holidays": False}, headers=manager
    )
    assert response.status_code == 200, response.text
    await outbox.expect("site.updated", *["closure.lifted"] * len(holidays))


async def _events_reach_the_broker(facilities: Facilities) -> None:
    expected = facilities.outbox.seen
    envelopes = await read_envelopes(facilities.kafka, contract.contract, expected, timeout=30)
    assert len(envelopes) == expected
