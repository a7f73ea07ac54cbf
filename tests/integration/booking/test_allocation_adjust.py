"""Running a round's allocation, inspecting it, locking, forcing and removing times, and
re-running around the pinned ones; the no-double-allocation constraint; accept and reopen."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from tests.integration.booking.season_support import Round, contested_round
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow]


def times_of(allocation: dict[str, Any], section: Any) -> list[dict[str, Any]]:
    return [t for t in allocation["times"] if t["section_id"] == str(section)]


async def run(world: World, rnd: Round, method: str = "greedy") -> dict[str, Any]:
    response = await world.service.client.post(
        f"/rounds/{rnd.id}/allocation/run", json={"method": method}, headers=world.admin()
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_staff_run_inspect_lock_force_remove_and_rerun(world: World) -> None:
    rnd = await contested_round(world)
    client, admin = world.service.client, world.admin()
    base = f"/rounds/{rnd.id}/allocation"
    refused = await client.post(
        f"{base}/run", json={"method": "greedy"}, headers=world.member(world.organisations[0])
    )
    assert refused.status_code == 403

    first = await run(world, rnd)
    assert first["state"] == "in_allocation"
    assert first["run"]["method"] == "greedy"
    assert 0 < first["run"]["metrics"]["met_share"] <= 1
    assert "waiting_order" not in first["run"]["metrics"]
    # The youth section wins the contested Gymsalen evening over the adult one.
    youth = times_of(first, rnd.sections["A junior"])
    assert [t["space_id"] for t in youth] == [str(world.other_gym)]
    assert times_of(first, rnd.sections["B voksne"]) == []
    outcomes = {o["section_name"]: o for o in first["outcomes"]}
    assert outcomes["A junior"]["status"] == "granted"
    assert outcomes["B voksne"]["status"] == "refused"
    assert outcomes["B voksne"]["explanation_nb"]
    assert str(rnd.sections["B voksne"]) in first["waiting"]
    assert all(t["explanation"] and t["explanation_nb"] for t in first["times"])
    fetched = await client.get(base, headers=admin)
    assert fetched.status_code == 200
    assert fetched.json()["times"] == first["times"]

    # Lock the children's hall time, remove the youth time, force the adults into Gymsalen.
    (children,) = times_of(first, rnd.sections["A barn"])
    locked = await client.post(f"{base}/times/{children['id']}/lock", headers=admin)
    assert locked.status_code == 200, locked.text
    assert times_of(locked.json(), rnd.sections["A barn"])[0]["pinned"] == "locked"
    removed = await client.delete(f"{base}/times/{youth[0]['id']}", headers=admin)
    assert removed.status_code == 200, removed.text
    after = {o["section_name"]: o for o in removed.json()["outcomes"]}
    assert after["A junior"]["status"] == "refused"
    forced = await client.post(
        f"{base}/times",
        json={
            "section_id": str(rnd.sections["B voksne"]),
            "space_id": str(world.other_gym),
            "weekday": rnd.weekday,
            "start": "18:00",
            "end": "19:30",
        },
        headers=admin,
    )
    assert forced.status_code == 201, forced.text
    (adult,) = times_of(forced.json(), rnd.sections["B voksne"])
    assert adult["pinned"] == "forced"
    assert adult["start"] == "18:00"
    assert {o["section_name"]: o for o in forced.json()["outcomes"]}["B voksne"][
        "status"
    ] == "granted"

    # A forced time that breaks a hard rule (shorter than the section's minimum): 422.
    too_short = await client.post(
        f"{base}/times",
        json={
            "section_id": str(rnd.sections["C trim"]),
            "space_id": str(world.other_gym),
            "weekday": rnd.weekday,
            "start": "21:00",
            "end": "21:30",
        },
        headers=admin,
    )
    assert too_short.status_code == 422, too_short.text
    assert too_short.json()["detail_nb"]

    # A part of Storhallen while the whole hall is allocated then: the database refuses, 409.
    start = int(children["start"][:2]) * 60 + int(children["start"][3:])
    clash = await client.post(
        f"{base}/times",
        json={
            "section_id": str(rnd.sections["C del"]),
            "space_id": str(world.part_a),
            "weekday": rnd.weekday,
            "start": children["start"],
            "end": f"{(start + 90) // 60:02d}:{(start + 90) % 60:02d}",
        },
        headers=admin,
    )
    if not times_of(forced.json(), rnd.sections["C del"]):
        assert clash.status_code == 409, clash.text
        assert clash.json()["detail_nb"]

    # Re-running keeps the locked and the forced times as they are.
    again = await run(world, rnd)
    kept = {t["id"]: t["pinned"] for t in again["times"] if t["pinned"]}
    assert kept == {children["id"]: "locked", adult["id"]: "forced"}
    assert times_of(again, rnd.sections["A junior"]) == []  # the forced adults hold 18–19:30

    unlocked = await client.post(f"{base}/times/{children['id']}/unlock", headers=admin)
    assert times_of(unlocked.json(), rnd.sections["A barn"])[0]["pinned"] is None
    missing = await client.delete(f"{base}/times/{rnd.id}", headers=admin)
    assert missing.status_code == 404


async def test_the_database_refuses_a_hall_and_its_part_at_once(world: World) -> None:
    rnd = await contested_round(world)
    section = rnd.sections["C del"]

    async def allocate(space: Any, low: int, high: int, occupancy: list[tuple[Any, bool]]) -> None:
        async with world.db.engine.begin() as conn:
            from sqlalchemy import text

            time_id = (
                await conn.execute(
                    text(
                        """INSERT INTO allocated_time (id, round_id, section_id, space_id, site_id,
                        weekday, start_minute, end_minute, hall_rank, preferred, explanation,
                        explanation_nb, created_at) VALUES (gen_random_uuid(), :r, :s, :space,
                        :site, 0, :low, :high, 1, true, '', '', now()) RETURNING id"""
                    ),
                    {
                        "r": rnd.id,
                        "s": section,
                        "space": space,
                        "site": world.school,
                        "low": low,
                        "high": high,
                    },
                )
            ).scalar_one()
            for occupied, own in occupancy:
                await conn.execute(
                    text(
                        """INSERT INTO allocated_occupancy (allocated_time_id, space_id,
                        round_id, own, during) VALUES (:t, :space, :r, :own,
                        int4range(:low, :high))"""
                    ),
                    {
                        "t": time_id,
                        "space": occupied,
                        "r": rnd.id,
                        "own": own,
                        "low": low,
                        "high": high,
                    },
                )

    whole = [(world.hall, True), (world.part_a, False), (world.part_b, False)]
    await allocate(world.hall, 17 * 60, 19 * 60, whole)
    with pytest.raises(IntegrityError):
        await allocate(world.part_a, 18 * 60, 19 * 60, [(world.part_a, True), (world.hall, False)])
    with pytest.raises(IntegrityError):
        await allocate(world.hall, 18 * 60, 20 * 60, whole)
    # Back to back is no clash.
    await allocate(world.part_a, 19 * 60, 20 * 60, [(world.part_a, True), (world.hall, False)])


async def test_accept_reopen_and_publishing_before_handled(world: World) -> None:
    rnd = await contested_round(world)
    client, admin = world.service.client, world.admin()
    base = f"/rounds/{rnd.id}"
    no_run = await client.post(f"{base}/allocation/accept", headers=admin)
    assert no_run.status_code == 409, no_run.text
    early = await client.post(f"{base}/publish", headers=admin)
    assert early.status_code == 409, early.text
    assert "handled" in early.json()["detail"]

    solved = await run(world, rnd, "cp_sat")
    assert solved["run"]["method"] == "cp_sat"
    accepted = await client.post(f"{base}/allocation/accept", headers=admin)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "handled"
    assert (await client.post(f"{base}/allocation/run", headers=admin)).status_code == 409
    reopened = await client.post(f"{base}/allocation/reopen", headers=admin)
    assert reopened.status_code == 200
    assert reopened.json()["state"] == "in_allocation"
    assert (await client.post(f"{base}/allocation/reopen", headers=admin)).status_code == 409

    events = await world.db.events("samspill.booking.round.changed.v1")
    assert [(e["round"]["state"], e["previous_state"]) for e in events] == [
        ("handled", "in_allocation"),
        ("in_allocation", "handled"),
    ]
