"""Staff's views of other people's data in booking are recorded in the access log: a loan's
borrower seen by the centre's staff or an admin, a member list seen by an admin, the staff
export; the borrower and the members themselves leave no record."""

from __future__ import annotations

import pytest

from tests.integration.booking.personal_data_support import plant, sql
from tests.integration.booking.world import World

pytestmark = pytest.mark.slow


async def _log(world: World) -> list[tuple[str, str, str | None, str]]:
    rows = await sql(
        world,
        "SELECT viewer_person_id, subject_kind, subject_person_id, why FROM access_log "
        "ORDER BY at, subject_kind",
    )
    return [(r.viewer_person_id, r.subject_kind, r.subject_person_id, r.why) for r in rows]


async def test_staff_views_are_logged_and_own_views_are_not(world: World) -> None:
    planted = await plant(world)
    client = world.service.client
    await world.db.execute("DELETE FROM access_log")  # planting's own desk work is not the point

    # The borrower and the club's own members: no record.
    assert (await client.get("/loans", headers=planted.headers)).status_code == 200
    loan_path = f"/loans/{planted.loan_id}"
    assert (await client.get(loan_path, headers=planted.headers)).status_code == 200
    organisation = planted.organisation
    members = f"/organisations/{organisation}/members"
    assert (await client.get(members, headers=world.member(organisation))).status_code == 200
    assert await _log(world) == []

    desk = world.person("desk-1")  # the centre's staff (granted while planting)
    desk_id = world.service.person_id("desk-1")
    admin_id = world.service.person_id("admin-1")
    person = planted.person_id
    assert (await client.get("/loans", headers=desk)).status_code == 200
    answer = await client.get(loan_path, params={"reason": "skadesak 12"}, headers=desk)
    assert answer.status_code == 200
    seen = await client.get(members, headers=world.admin())
    assert seen.status_code == 200
    member_ids = {m["person_id"] for m in seen.json()}
    export = await client.get(
        f"/people/{person}/data", params={"reason": "sak 2025/19"}, headers=world.admin()
    )
    assert export.status_code == 200

    log = await _log(world)
    assert (desk_id, "loan", person, "equipment desk") in log
    assert (desk_id, "loan", person, "skadesak 12") in log
    member_rows = {(v, k, s, w) for v, k, s, w in log if k == "members"}
    assert member_rows == {(admin_id, "members", m, "member list") for m in member_ids}
    assert (admin_id, "export", person, "sak 2025/19") in log
    # The person sees who looked, in their own export.
    mine = await client.get("/me/data", headers=planted.headers)
    kinds = sorted(row["subject_kind"] for row in mine.json()["sections"]["access_log"])
    assert kinds == ["export", "loan", "loan", "members"]
