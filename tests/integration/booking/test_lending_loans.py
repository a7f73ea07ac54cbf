"""Loans over HTTP: availability, reservation, bad input, authorization, the lifecycle, limits."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.support import RunningService, running_service, settings_for

from .lending_support import (
    Centre,
    grant_staff,
    in_days,
    loan_request,
    outbox_events,
    reserved_event,
    scalar,
    stock_centre,
    today,
)

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

PROBLEM = "application/problem+json"


@pytest.fixture
async def booking(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "booking",
        database_url=await database_factory("lending_loans"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service("booking", settings) as svc:
        yield svc


async def loan_count(svc: RunningService) -> int:
    return int(await scalar(svc, "SELECT count(*) FROM loan") or 0)


async def test_loans_from_reservation_to_return(booking, isolated_kafka):
    strommen = Centre("BUA Strømmen", reservation_days=14)
    fetsund = Centre("BUA Fetsund")
    await stock_centre(booking, isolated_kafka, strommen, {"ski": (3, 14), "skøyter": (2, 7)})
    await stock_centre(booking, isolated_kafka, fetsund, {"telt": (1, 7)})
    client = booking.client
    family = booking.token("family-1")
    staff = await grant_staff(booking, isolated_kafka, "staff-1", [strommen.centre_id])
    await grant_staff(booking, isolated_kafka, "staff-9", [uuid.uuid4()])  # another centre's
    ski, skates = strommen.type_id("ski"), strommen.type_id("skøyter")

    free = await client.get(
        "/lending/availability",
        params={
            "centre_id": str(strommen.centre_id),
            "pickup_date": in_days(1).isoformat(),
            "return_date": in_days(3).isoformat(),
        },
    )
    assert free.status_code == 200, free.text
    by_name = {t["name"]: t for t in free.json()["item_types"]}
    assert (by_name["ski"]["units_free"], by_name["skøyter"]["units_free"]) == (3, 2)

    reserved = await client.post(
        "/loans",
        json=loan_request([(skates, 1), (ski, 2)], today(), in_days(2)),
        headers=family,
    )
    assert reserved.status_code == 201, reserved.text
    loan = reserved.json()
    assert loan["status"] == "reserved"
    assert loan["centre_name"] == "BUA Strømmen"
    assert {line["item_type_name"]: line["quantity"] for line in loan["lines"]} == {
        "ski": 2,
        "skøyter": 1,
    }
    # The answer lists lines and units as every later read of the loan does, and so does the
    # reserved event.
    read = await client.get(f"/loans/{loan['loan_id']}", headers=family)
    assert read.json()["lines"] == loan["lines"]
    event = await reserved_event(booking, loan["loan_id"])
    assert [(line["item_type_id"], line["unit_ids"], line["unit_labels"]) for line in event] == [
        (
            line["item_type_id"],
            [unit["unit_id"] for unit in line["units"]],
            [unit["label"] for unit in line["units"]],
        )
        for line in loan["lines"]
    ]
    ski_units = next(line for line in loan["lines"] if line["item_type_name"] == "ski")["units"]
    after = await client.get(
        "/lending/availability",
        params={
            "centre_id": str(strommen.centre_id),
            "pickup_date": in_days(2).isoformat(),
            "return_date": in_days(4).isoformat(),
            "item_type_id": ski,
        },
    )
    assert [t["units_free"] for t in after.json()["item_types"]] == [1]

    await _refuses_bad_input(booking, strommen, fetsund)
    await _keeps_loans_private(booking, loan["loan_id"], strommen)

    # Staff hand out a different pair of skis than the one assigned.
    spare = next(
        str(u.unit_id)
        for u in strommen.units["ski"]
        if str(u.unit_id) not in {x["unit_id"] for x in ski_units}
    )
    swap = {"swaps": [{"from_unit_id": ski_units[0]["unit_id"], "to_unit_id": spare}]}
    picked = await client.post(f"/loans/{loan['loan_id']}/pickup", json=swap, headers=staff)
    assert picked.status_code == 200, picked.text
    assert picked.json()["status"] == "picked_up"
    held = {u["unit_id"] for line in picked.json()["lines"] for u in line["units"]}
    assert spare in held
    assert ski_units[0]["unit_id"] not in held
    again = await client.post(f"/loans/{loan['loan_id']}/pickup", headers=staff)
    assert again.status_code == 409

    damaged = {"damage_notes": "Bindingen er løs", "damaged_unit_ids": [spare]}
    returned = await client.post(f"/loans/{loan['loan_id']}/return", json=damaged, headers=staff)
    assert returned.status_code == 200, returned.text
    body = returned.json()
    assert (body["status"], body["damage_notes"]) == ("returned", "Bindingen er løs")
    conditions = {
        u["unit_id"]: u["returned_condition"] for ln in body["lines"] for u in ln["units"]
    }
    assert conditions[spare] == "damaged"
    twice = await client.post(f"/loans/{loan['loan_id']}/return", headers=staff)
    assert twice.status_code == 409
    assert twice.headers["content-type"].startswith(PROBLEM)

    assert await outbox_events(booking, loan["loan_id"]) == [
        "loan.reserved.v1",
        "loan.units_changed.v1",
        "loan.picked_up.v1",
        "loan.returned.v1",
    ]
    await _cancels_and_limits(booking, strommen)


async def _refuses_bad_input(svc: RunningService, strommen: Centre, fetsund: Centre) -> None:
    family = svc.token("family-1")
    ski, skates = strommen.type_id("ski"), strommen.type_id("skøyter")
    before = await loan_count(svc)
    cases = [
        ([(ski, 0)], today(), in_days(1), 422),
        ([(ski, -1)], today(), in_days(1), 422),
        ([(ski, 2)], today(), in_days(1), 409),  # one pair is left
        ([(ski, 1)], in_days(3), in_days(2), 422),
        ([(skates, 1)], in_days(1), in_days(9), 422),  # skates: at most 7 days
        ([(ski, 1)], today() - timedelta(days=1), in_days(1), 422),
        ([(ski, 1)], in_days(15), in_days(16), 422),  # reservation window: 14 days
        ([(str(uuid.uuid4()), 1)], in_days(1), in_days(2), 422),
        ([(ski, 1), (fetsund.type_id("telt"), 1)], in_days(1), in_days(2), 422),
    ]
    for lines, pickup, return_date, status in cases:
        answer = await svc.client.post(
            "/loans", json=loan_request(lines, pickup, return_date), headers=family
        )
        assert answer.status_code == status, (lines, pickup, return_date, answer.text)
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["detail"]
    no_email = loan_request([(ski, 1)], in_days(1), in_days(2))
    no_email["contact"] = {"channel": "email", "phone": "+47 900 00 000"}
    assert (await svc.client.post("/loans", json=no_email, headers=family)).status_code == 422
    integration = svc.token("booking-sync", scopes=["samspill.read"])  # a client, no person
    not_resident = loan_request([(ski, 1)], in_days(1), in_days(2))
    refused = await svc.client.post("/loans", json=not_resident, headers=integration)
    assert refused.status_code == 403
    assert (await svc.client.post("/loans", json=not_resident)).status_code == 401
    assert await loan_count(svc) == before


async def _keeps_loans_private(svc: RunningService, loan_id: str, strommen: Centre) -> None:
    client = svc.client
    neighbour = svc.token("family-2")
    other_staff = svc.token("staff-9")  # staff of another centre (granted at the start)
    staff = svc.token("staff-1")
    admin = svc.token("admin-1", admin=True)
    assert (await client.get(f"/loans/{loan_id}", headers=neighbour)).status_code == 404
    assert (await client.get("/loans", headers=neighbour)).json() == []
    assert (await client.post(f"/loans/{loan_id}/cancel", headers=neighbour)).status_code == 404
    assert (await client.post(f"/loans/{loan_id}/pickup", headers=neighbour)).status_code == 404
    refused = await client.post(f"/loans/{loan_id}/pickup", headers=other_staff)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert (await client.get("/loans", headers=other_staff)).json() == []
    family = svc.token("family-1")
    owner_pickup = await client.post(f"/loans/{loan_id}/pickup", headers=family)
    assert owner_pickup.status_code == 403
    for token in (family, staff, admin):
        listed = await client.get("/loans", headers=token)
        assert loan_id in {x["loan_id"] for x in listed.json()}
        assert (await client.get(f"/loans/{loan_id}", headers=token)).status_code == 200
    assert await outbox_events(svc, loan_id) == ["loan.reserved.v1"]


async def _cancels_and_limits(svc: RunningService, strommen: Centre) -> None:
    client = svc.client
    ski = strommen.type_id("ski")
    family = svc.token("family-3")
    later = loan_request([(ski, 1)], in_days(1), in_days(1))
    early = await client.post("/loans", json=later, headers=family)
    assert early.status_code == 201, early.text
    staff = svc.token("staff-1")
    too_soon = await client.post(f"/loans/{early.json()['loan_id']}/pickup", headers=staff)
    assert too_soon.status_code == 422
    assert "picked up from" in too_soon.json()["detail"]

    svc.app.state.settings = svc.settings.model_copy(
        update={"lending_max_active_loans": 1, "lending_max_active_units": 5}
    )
    over = await client.post("/loans", json=later, headers=family)
    assert over.status_code == 409
    assert "limit is 1" in over.json()["detail"]

    cancelled = await client.post(f"/loans/{early.json()['loan_id']}/cancel", headers=family)
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "by_resident",
    )
    again = await client.post(f"/loans/{early.json()['loan_id']}/cancel", headers=family)
    assert again.status_code == 409
    assert (await client.post("/loans", json=later, headers=family)).status_code == 201
