"""Staff's views of who holds staff grants are recorded in the access log: a site's managers
seen by a fellow manager, a centre's staff seen by an admin, the grants an admin lists (with
the reason given, else the list's purpose); one row per other person the page names, as holder
or as the administrator who granted; never the viewer's own grant."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.facilities.conftest import Facilities, site_body

pytestmark = pytest.mark.slow


async def _site(facilities: Facilities, name: str, kind: str) -> str:
    body = site_body(name, kind=kind)
    response = await facilities.svc.client.post("/sites", json=body, headers=facilities.admin)
    assert response.status_code == 201, response.text
    return str(response.json()["site_id"])


async def _log(facilities: Facilities) -> list[dict[str, Any]]:
    response = await facilities.svc.client.get(
        "/access-log", params={"limit": 200}, headers=facilities.admin
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _rows(entries: list[dict[str, Any]]) -> set[tuple[str, str | None, str, str, str, str]]:
    return {
        (
            e["viewer_person_id"],
            e["subject_person_id"],
            e["subject_kind"],
            e["subject_id"],
            e["what"],
            e["why"],
        )
        for e in entries
    }


async def test_staff_views_of_grants_are_logged(facilities: Facilities) -> None:
    svc, client = facilities.svc, facilities.svc.client
    school = await _site(facilities, "Skedsmo skole", "school")
    centre = await _site(facilities, "BUA Strømmen", "equipment_centre")
    kari, ola, per = (svc.person_id(sub) for sub in ("kari", "ola", "per"))
    admin = svc.person_id("admin-1")
    as_kari = await facilities.manager(school, sub="kari")
    await facilities.manager(school, sub="ola")
    await facilities.staff(centre, sub="per")
    assert await _log(facilities) == [], "granting is not viewing"

    # A manager sees who else manages the site: the other manager and the granting admin.
    seen = await client.get(f"/sites/{school}/managers", headers=as_kari)
    assert seen.status_code == 200, seen.text
    assert {m["person_id"] for m in seen.json()["items"]} == {kari, ola}
    assert _rows(await _log(facilities)) == {
        (kari, ola, "site_managers", school, "the site's managers: holder", "site managers list"),
        (
            kari,
            admin,
            "site_managers",
            school,
            "the site's managers: granted by",
            "site managers list",
        ),
    }

    # The admin looks at the centre's staff (their own id as granter is not logged).
    staff = await client.get(f"/centres/{centre}/staff", headers=facilities.admin)
    assert staff.status_code == 200, staff.text
    centre_rows = {r for r in _rows(await _log(facilities)) if r[2] == "centre_staff"}
    assert centre_rows == {
        (
            admin,
            per,
            "centre_staff",
            centre,
            "the centre's staff: holder",
            "equipment centre staff list",
        )
    }

    # The admin lists one person's grants for a written request: the reason is the why.
    listed = await client.get(
        "/staff-grants",
        params={"person_id": ola, "reason": "sak 2031/44"},
        headers=facilities.admin,
    )
    assert listed.status_code == 200, listed.text
    grant_rows = {r for r in _rows(await _log(facilities)) if r[2] == "staff_grants"}
    assert grant_rows == {(admin, ola, "staff_grants", ola, "staff grants: holder", "sak 2031/44")}

    # Who was not allowed to look left no trace; an empty reason is refused.
    refused = await client.get(f"/centres/{centre}/staff", headers=as_kari)
    assert refused.status_code == 403
    empty = await client.get("/staff-grants", params={"reason": ""}, headers=facilities.admin)
    assert empty.status_code == 422
    assert len(await _log(facilities)) == 4

    # Narrowed to one person, the log lists the views that named them.
    about_ola = await client.get("/access-log", params={"person_id": ola}, headers=facilities.admin)
    assert {e["subject_kind"] for e in about_ola.json()["items"]} == {
        "site_managers",
        "staff_grants",
    }
