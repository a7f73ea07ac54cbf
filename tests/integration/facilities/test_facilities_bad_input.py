"""Bad input and callers without the right get a clear 4xx problem+json, and nothing changes:
no row and no outbox row."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.dates import ordinary_day
from tests.integration.facilities.conftest import Facilities, assert_problem, site_body

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

MONDAY = ordinary_day(14, weekday=0)
UNKNOWN = str(uuid.uuid4())


def weekly(**overrides: Any) -> dict[str, Any]:
    return {
        "weekdays": [0, 2],
        "start_time": "17:00",
        "end_time": "22:00",
        "valid_from": MONDAY.isoformat(),
        "valid_to": (MONDAY + timedelta(days=50)).isoformat(),
        **overrides,
    }


async def _setup(facilities: Facilities) -> dict[str, Any]:
    client, admin = facilities.svc.client, facilities.admin
    ids: dict[str, Any] = {}
    for key, name in (("a", "Strømmen skole"), ("b", "Fetsund ungdomsskole")):
        response = await client.post("/sites", json=site_body(name), headers=admin)
        ids[key] = response.json()["site_id"]
    centre = await client.post(
        "/sites", json=site_body("BUA", kind="equipment_centre"), headers=admin
    )
    ids["centre"] = centre.json()["site_id"]
    for key, site, parent, name in (
        ("gym", "a", None, "Hall"),
        ("part", "a", "gym", "Hall A"),
        ("retired", "a", None, "Gammel sal"),
        ("b_gym", "b", None, "Hall"),
    ):
        body = {"site_id": ids[site], "name": name, "kind": "gym", "capacity": 30}
        body["parent_id"] = ids.get(parent) if parent else None
        ids[key] = (await client.post("/spaces", json=body, headers=admin)).json()["space_id"]
    await client.delete(f"/spaces/{ids['retired']}", headers=admin)
    window = await client.post(f"/spaces/{ids['gym']}/windows", json=weekly(), headers=admin)
    ids["window"] = window.json()["window_id"]
    item = {"name": "Skøyter", "category": "skøyter", "variant": "36"}
    response = await client.post(f"/centres/{ids['centre']}/item-types", json=item, headers=admin)
    ids["item"] = response.json()["item_type_id"]
    return ids


def bad_requests(ids: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any] | None, int]]:
    """(label, method, path, body, status) — every one must be refused."""
    gym, part, window = ids["gym"], ids["part"], ids["window"]
    closure = {"space_id": gym, "reason": "exam"}
    start, end = f"{MONDAY}T18:00:00+01:00", f"{MONDAY}T10:00:00+01:00"
    return [
        (
            "closure ends before it starts",
            "POST",
            "/closures",
            {**closure, "start": start, "end": end},
            422,
        ),
        (
            "closure without time zone",
            "POST",
            "/closures",
            {**closure, "start": f"{MONDAY}T08:00", "end": f"{MONDAY}T10:00"},
            422,
        ),
        (
            "closure of a retired space",
            "POST",
            "/closures",
            {
                **closure,
                "space_id": ids["retired"],
                "start": end,
                "end": start.replace("18:00", "23:00"),
            },
            422,
        ),
        (
            "closure of an unknown space",
            "POST",
            "/closures",
            {**closure, "space_id": UNKNOWN, "start": end, "end": start},
            422,
        ),
        (
            "closure of an unknown site",
            "POST",
            "/closures",
            {"site_id": UNKNOWN, "reason": "exam", "start": end, "end": start},
            422,
        ),
        (
            "closure with an unknown reason",
            "POST",
            "/closures",
            {**closure, "reason": "party", "start": end, "end": start},
            422,
        ),
        (
            "window ends before it starts",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(start_time="22:00", end_time="17:00"),
            422,
        ),
        (
            "window's last date before its first",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(valid_to=(MONDAY - timedelta(days=1)).isoformat()),
            422,
        ),
        (
            "no chosen weekday within the dates",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(weekdays=[4], valid_to=MONDAY.isoformat()),
            422,
        ),
        (
            "overlapping windows",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(start_time="21:00", end_time="23:00"),
            422,
        ),
        (
            "unknown weekday name",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(weekdays=["fredagen"], start_time="08:00", end_time="09:00"),
            422,
        ),
        (
            "unknown weekday number",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(weekdays=[9], start_time="08:00", end_time="09:00"),
            422,
        ),
        (
            "unknown time zone",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(time_zone="Europe/Lillestrom", start_time="08:00", end_time="09:00"),
            422,
        ),
        (
            "another time zone",
            "POST",
            f"/spaces/{gym}/windows",
            weekly(time_zone="Europe/Berlin", start_time="08:00", end_time="09:00"),
            422,
        ),
        ("window of a retired space", "POST", f"/spaces/{ids['retired']}/windows", weekly(), 422),
        ("window of an unknown space", "POST", f"/spaces/{UNKNOWN}/windows", weekly(), 404),
        (
            "withdrawing a date outside the window",
            "POST",
            f"/spaces/{gym}/windows/{window}/withdraw-dates",
            {"dates": [(MONDAY + timedelta(days=1)).isoformat()]},
            422,
        ),
        (
            "withdrawing a date after the window",
            "POST",
            f"/spaces/{gym}/windows/{window}/withdraw-dates",
            {"dates": [(MONDAY + timedelta(days=70)).isoformat()]},
            422,
        ),
        (
            "withdrawing another space's window",
            "DELETE",
            f"/spaces/{part}/windows/{window}",
            None,
            404,
        ),
        (
            "space of an unknown site",
            "POST",
            "/spaces",
            {"site_id": UNKNOWN, "name": "X", "kind": "gym", "capacity": 10},
            422,
        ),
        (
            "capacity zero",
            "POST",
            "/spaces",
            {"site_id": ids["a"], "name": "X", "kind": "gym", "capacity": 0},
            422,
        ),
        ("capacity below zero", "PATCH", f"/spaces/{part}", {"capacity": -5}, 422),
        (
            "unknown kind of space",
            "POST",
            "/spaces",
            {"site_id": ids["a"], "name": "X", "kind": "spa", "capacity": 10},
            422,
        ),
        (
            "a part of another site's space",
            "POST",
            "/spaces",
            {
                "site_id": ids["a"],
                "name": "X",
                "kind": "hall_part",
                "capacity": 10,
                "parent_id": ids["b_gym"],
            },
            422,
        ),
        (
            "a part of an unknown space",
            "POST",
            "/spaces",
            {
                "site_id": ids["a"],
                "name": "X",
                "kind": "hall_part",
                "capacity": 10,
                "parent_id": UNKNOWN,
            },
            422,
        ),
        ("a cycle of parts", "PATCH", f"/spaces/{gym}", {"parent_id": part}, 422),
        ("a space part of itself", "PATCH", f"/spaces/{gym}", {"parent_id": gym}, 422),
        (
            "booking rules that contradict",
            "POST",
            "/spaces",
            {
                "site_id": ids["a"],
                "name": "X",
                "kind": "gym",
                "capacity": 10,
                "rules": {"min_minutes": 240, "max_minutes": 60},
            },
            422,
        ),
        (
            "a second space of the same name",
            "POST",
            "/spaces",
            {"site_id": ids["a"], "name": "hall", "kind": "gym", "capacity": 10},
            409,
        ),
        ("changing a retired space", "PATCH", f"/spaces/{ids['retired']}", {"capacity": 10}, 422),
        ("unknown space", "PATCH", f"/spaces/{UNKNOWN}", {"capacity": 10}, 404),
        (
            "a price below zero",
            "POST",
            "/price-rules",
            {"category": "commercial", "hourly_rate_ore": -100},
            422,
        ),
        (
            "an evening price below zero",
            "POST",
            "/price-rules",
            {"category": "commercial", "hourly_rate_ore": 100, "evening_rate_ore": -1},
            422,
        ),
        (
            "a price for a space and a kind",
            "POST",
            "/price-rules",
            {"space_id": gym, "space_kind": "gym", "category": "private", "hourly_rate_ore": 100},
            422,
        ),
        (
            "a price for an unknown space",
            "POST",
            "/price-rules",
            {"space_id": UNKNOWN, "category": "private", "hourly_rate_ore": 100},
            422,
        ),
        (
            "an unknown category",
            "POST",
            "/price-rules",
            {"category": "vip", "hourly_rate_ore": 100},
            422,
        ),
        (
            "a site of an unknown district",
            "POST",
            "/sites",
            site_body("Oslo skole", district="grunerlokka"),
            422,
        ),
        ("a second site of the same name", "POST", "/sites", site_body("Strømmen skole"), 409),
        ("an unknown site", "PATCH", f"/sites/{UNKNOWN}", {"address": "Ny vei 1"}, 404),
        (
            "item types at a school",
            "POST",
            f"/centres/{ids['a']}/item-types",
            {"name": "Ski", "category": "ski"},
            404,
        ),
        (
            "ages the wrong way round",
            "POST",
            f"/centres/{ids['centre']}/item-types",
            {"name": "Ski", "category": "ski", "age_min": 12, "age_max": 6},
            422,
        ),
        ("a unit label twice", "POST", f"/item-types/{ids['item']}/units", {"label": "A"}, None),
        ("a retired unit back in use", "PATCH", "/units/{unit}", {"condition": "ok"}, 422),
        ("lifting an unknown closure", "DELETE", f"/closures/{UNKNOWN}", None, 404),
        *oversized_requests(ids),
    ]


def oversized_requests(
    ids: dict[str, Any],
) -> list[tuple[str, str, str, dict[str, Any] | None, int]]:
    """Input past its bounds: refused before any work, whatever the rules would say."""
    contact = {"name": "Kontoret", "email": "post@example.no"}
    return [
        (
            "a contact name of 200 KB, not an email, not a phone",
            "POST",
            "/sites",
            site_body(
                "Kjeller skole",
                contact={"name": "x" * 200_000, "email": "not-an-email", "phone": "call me maybe"},
            ),
            422,
        ),
        (
            "a contact email that is not one",
            "PATCH",
            f"/sites/{ids['a']}",
            {"contact": {**contact, "email": "not-an-email"}},
            422,
        ),
        (
            "a contact phone that is not one",
            "PATCH",
            f"/sites/{ids['a']}",
            {"contact": {**contact, "phone": "call me maybe"}},
            422,
        ),
        (
            "a transit stop of 10 KB",
            "PATCH",
            f"/sites/{ids['a']}",
            {"accessibility": {"transit_stop": "x" * 10_000}},
            422,
        ),
        ("a 2 MB site name", "POST", "/sites", site_body("x" * 2_000_000), 413),
        (
            "a feature of 10 KB",
            "PATCH",
            f"/spaces/{ids['gym']}",
            {"features": ["x" * 10_000]},
            422,
        ),
        (
            "a window to the year 9999",
            "POST",
            f"/spaces/{ids['gym']}/windows",
            weekly(valid_to="9999-12-31"),
            422,
        ),
        (
            "window occurrences in the year 9999",
            "GET",
            f"/spaces/{ids['gym']}/windows/{ids['window']}/occurrences?from=9999-12-01&to=9999-12-31",
            None,
            422,
        ),
        (
            "closures listed from the year 9999",
            "GET",
            "/closures?from=9999-12-30T00:00:00Z",
            None,
            422,
        ),
        (
            "a closure in the year 9999",
            "POST",
            "/closures",
            {
                "space_id": ids["gym"],
                "reason": "exam",
                "start": "9999-12-30T08:00:00+01:00",
                "end": "9999-12-31T08:00:00+01:00",
            },
            422,
        ),
    ]


async def test_bad_input_is_refused_and_changes_nothing(facilities: Facilities) -> None:
    client, admin = facilities.svc.client, facilities.admin
    ids = await _setup(facilities)
    unit = (
        await client.post(f"/item-types/{ids['item']}/units", json={"label": "A"}, headers=admin)
    ).json()
    await client.delete(f"/units/{unit['unit_id']}", headers=admin)
    before = await facilities.outbox.counts()
    for label, method, path, body, status in bad_requests(ids):
        path = path.replace("{unit}", unit["unit_id"])
        response = await client.request(method, path, json=body, headers=admin)
        assert_problem(response, status or 409)
        assert await facilities.outbox.counts() == before, label


async def test_callers_reach_only_their_own_sites(facilities: Facilities) -> None:
    client, admin = facilities.svc.client, facilities.admin
    ids = await _setup(facilities)
    other_centre = await client.post(
        "/sites", json=site_body("BUA Fetsund", kind="equipment_centre"), headers=admin
    )
    other_manager = await facilities.manager(ids["b"])
    resident = facilities.svc.token("resident-1")
    other_staff = await facilities.staff(other_centre.json()["site_id"])
    centre_staff = await facilities.staff(ids["centre"], sub="staff-2")  # manages no school
    gym, window = ids["gym"], ids["window"]
    refused = [
        ("POST", "/sites", site_body("Ny skole"), other_manager, 403),
        ("POST", "/sites", site_body("Ny skole"), None, 401),
        ("PATCH", f"/sites/{ids['a']}", {"address": "Ny vei 2"}, other_manager, 403),
        ("PATCH", f"/sites/{ids['a']}", {"address": "Ny vei 2"}, resident, 403),
        ("PATCH", f"/sites/{ids['a']}", {"address": "Ny vei 2"}, centre_staff, 403),
        (
            "POST",
            "/spaces",
            {"site_id": ids["a"], "name": "Y", "kind": "gym", "capacity": 5},
            other_manager,
            403,
        ),
        ("PATCH", f"/spaces/{gym}", {"capacity": 5}, other_manager, 403),
        ("DELETE", f"/spaces/{gym}", None, other_manager, 403),
        (
            "POST",
            f"/spaces/{gym}/windows",
            weekly(start_time="08:00", end_time="09:00"),
            other_manager,
            403,
        ),
        ("DELETE", f"/spaces/{gym}/windows/{window}", None, other_manager, 403),
        (
            "POST",
            "/closures",
            {
                "site_id": ids["a"],
                "reason": "exam",
                "start": f"{MONDAY}T08:00:00Z",
                "end": f"{MONDAY}T10:00:00Z",
            },
            other_manager,
            403,
        ),
        (
            "POST",
            "/price-rules",
            {"category": "private", "hourly_rate_ore": 100},
            other_manager,
            403,
        ),
        ("POST", "/price-rules", {"category": "private", "hourly_rate_ore": 100}, resident, 403),
        (
            "POST",
            f"/centres/{ids['centre']}/item-types",
            {"name": "Ski", "category": "ski"},
            other_staff,
            403,
        ),
        (
            "POST",
            f"/centres/{ids['centre']}/item-types",
            {"name": "Ski", "category": "ski"},
            other_manager,
            403,
        ),
        ("PATCH", f"/item-types/{ids['item']}", {"max_loan_days": 3}, resident, 403),
        ("GET", f"/item-types/{ids['item']}/units", None, resident, 403),
        ("POST", f"/item-types/{ids['item']}/units", {"label": "B"}, other_staff, 403),
    ]
    before = await facilities.outbox.counts()
    for method, path, body, headers, status in refused:
        response = await client.request(method, path, json=body, headers=headers)
        assert_problem(response, status)
        assert await facilities.outbox.counts() == before, (method, path)
    own = await facilities.manager(ids["a"], sub="manager-2")
    response = await client.patch(f"/spaces/{gym}", json={"capacity": 35}, headers=own)
    assert response.status_code == 200, response.text
    for path in (
        f"/sites/{ids['a']}",
        f"/spaces/{gym}",
        f"/spaces/{gym}/windows",
        "/closures",
        "/price-rules",
        f"/centres/{ids['centre']}/item-types",
        "/price-list",
    ):
        assert (await client.get(path)).status_code == 200, path
