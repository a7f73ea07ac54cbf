"""A person's data in facilities: the sites they manage and the centres they staff (and grants
they gave as an administrator) are in their export; booking's `PersonErased` revokes their
grants (announced as a revocation is), leaves no column naming them, and a second event changes
nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from samspill.events import booking as bk
from samspill.privacy import erased_marker
from tests.integration.facilities.conftest import Facilities, site_body
from tests.integration.notifications.builders import publish
from tests.integration.planted_values import table_digest, where_found
from tests.support import eventually

pytestmark = pytest.mark.slow

SUB = "staff-plantesen"
# Kept on purpose: the access log (who looked), the inbox (applied event ids) and the outbox
# (the events announcing the revocation name the person, as every grant event does).
KEPT_TABLES = ("access_log", "inbox", "outbox", "outbox_dead_letter")


async def test_export_then_erasure_of_a_staff_member(facilities: Facilities):
    svc = facilities.svc
    person = svc.person_id(SUB)
    school, centre = [
        (await svc.client.post("/sites", json=body, headers=facilities.admin)).json()["site_id"]
        for body in (
            site_body("Plantesen skole"),
            site_body("BUA Plantesen", kind="equipment_centre"),
        )
    ]
    await facilities.grant(f"/sites/{school}/managers", SUB)
    await facilities.grant(f"/centres/{centre}/staff", SUB)
    # As an administrator the person granted someone else a site.
    other = svc.person_id("manager-2")
    given = await svc.client.put(
        f"/sites/{school}/managers/{other}", headers=svc.token(SUB, admin=True)
    )
    assert given.status_code == 201, given.text

    mine = await svc.client.get("/me/data", headers=svc.token(SUB))
    assert mine.status_code == 200, mine.text
    sections = mine.json()["sections"]
    assert {(g["kind"], g["object_id"]) for g in sections["staff_grants"]} == {
        ("site", school),
        ("centre", centre),
    }
    assert [g["object_id"] for g in sections["grants_given"]] == [school]
    assert other not in json.dumps(mine.json()), "the other person's id is theirs, not this one's"

    path = f"/people/{person}/data"
    assert (await svc.client.get(path, headers=facilities.admin)).status_code == 422
    refused = await svc.client.get(path, params={"reason": "sak 9"}, headers=svc.token("x"))
    assert refused.status_code == 403
    staff = await svc.client.get(path, params={"reason": "sak 9"}, headers=facilities.admin)
    assert staff.status_code == 200, staff.text
    assert staff.json()["sections"] == sections
    await facilities.outbox.new_events()
    await eventually(lambda: _pending(svc, 0))  # the grant events are out

    erasure = bk.PersonErasureState(
        person_id=person,
        erasure_id=uuid.uuid4(),
        requested_at=datetime.now(UTC),
        requested_by="staff",
        reason="sak 9",
    )
    await publish(facilities.kafka, (bk.PersonErased(erasure=erasure), person))

    async def revoked() -> bool:
        async with svc.app.state.runtime.sessions() as session:
            count = await session.scalar(
                text("SELECT count(*) FROM staff_grant WHERE person_id = :p"), {"p": person}
            )
        return count == 0

    await eventually(revoked)
    announced = await facilities.outbox.expect_one("staff_grants.changed")
    # The grant events published before are forgotten; only the revocation names the person.
    async with svc.app.state.runtime.sessions() as session:
        naming = await session.execute(
            text(
                "SELECT event_type FROM outbox WHERE key = :p "
                "OR strpos(convert_from(value, 'UTF8'), :p) > 0"
            ),
            {"p": person},
        )
        assert naming.scalars().all() == ["samspill.facilities.staff_grants.changed.v1"]
    assert announced["grants"] == {
        "person_id": person,
        "site_ids": [],
        "centre_ids": [],
        "emergency": False,
    }
    async with svc.app.state.runtime.sessions() as session:
        assert await where_found(session, [person], skip_tables=KEPT_TABLES) == []
        granted_by = await session.scalar(
            text("SELECT granted_by FROM staff_grant WHERE person_id = :p"), {"p": other}
        )
        assert granted_by == erased_marker(person)
        digest = await table_digest(session, skip_tables=("inbox", "outbox"))
    assert (await svc.client.get("/me/data", headers=svc.token(SUB))).json()["sections"] == {
        "staff_grants": [],
        "grants_given": [],
    }

    # Again: nothing changes and nothing is announced.
    again = erasure.model_copy(update={"erasure_id": uuid.uuid4()})
    await publish(facilities.kafka, (bk.PersonErased(erasure=again), person))

    async def applied() -> bool:
        async with svc.app.state.runtime.sessions() as session:
            count = await session.scalar(
                text("SELECT count(*) FROM inbox WHERE event_type = :t"),
                {"t": "samspill.booking.person.erased.v1"},
            )
        return count == 2

    await eventually(applied)
    async with svc.app.state.runtime.sessions() as session:
        assert await table_digest(session, skip_tables=("inbox", "outbox")) == digest
    assert await facilities.outbox.new_events() == []


async def _pending(svc: object, count: int) -> bool:
    async with svc.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        pending = await session.scalar(
            text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        )
    return pending == count
