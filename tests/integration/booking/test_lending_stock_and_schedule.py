"""Stock changes from facilities move loans; no-shows and overdue loans are found once each."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from booking.config import BookingSettings
from booking.lending.jobs import move_loans_due
from booking.tables import messaging
from samspill.db import create_engine, session_factory, units_of_work
from samspill.events import facilities as fe
from samspill.recurrence import OSLO
from tests.support import RunningService, eventually, running_service, settings_for

from .lending_support import (
    Centre,
    grant_staff,
    in_days,
    loan_request,
    outbox_events,
    scalar,
    send_facilities,
    sessions,
    stock_centre,
    today,
)

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


@pytest.fixture
async def booking(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "booking",
        database_url=await database_factory("lending_stock"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service("booking", settings) as svc:
        yield svc


async def reserve(svc: RunningService, who: str, lines, pickup, back) -> dict:
    answer = await svc.client.post(
        "/loans", json=loan_request(lines, pickup, back), headers=svc.token(who)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def units_of(loan: dict) -> set[str]:
    return {unit["unit_id"] for line in loan["lines"] for unit in line["units"]}


async def loan_now(svc: RunningService, loan_id: str) -> dict:
    answer = await svc.client.get(f"/loans/{loan_id}", headers=svc.token("admin", admin=True))
    return answer.json()


async def test_damaged_unit_moves_future_loans(booking, isolated_kafka):
    centre = Centre("BUA Skedsmo")
    await stock_centre(booking, isolated_kafka, centre, {"hjelm": (2, 7), "telt": (1, 7)})
    helmet, tent = centre.type_id("hjelm"), centre.type_id("telt")
    loan = await reserve(booking, "family-a", [(helmet, 1)], in_days(3), in_days(4))
    (assigned,) = units_of(loan)
    tent_loan = await reserve(booking, "family-b", [(tent, 1)], in_days(3), in_days(4))

    unit = next(u for u in centre.units["hjelm"] if str(u.unit_id) == assigned)
    damaged = unit.model_copy(update={"condition": "damaged"})
    (only_tent,) = centre.units["telt"]
    retired = only_tent.model_copy(update={"condition": "retired"})
    await send_facilities(
        isolated_kafka,
        [fe.UnitConditionChanged(unit=damaged, previous_condition="ok")],
        key=helmet,
    )
    await send_facilities(isolated_kafka, [fe.UnitRetired(unit=retired)], key=tent)

    async def moved() -> bool:
        return (await loan_now(booking, loan["loan_id"]))["version"] > 1

    await eventually(moved)
    now_held = units_of(await loan_now(booking, loan["loan_id"]))
    (spare,) = {str(u.unit_id) for u in centre.units["hjelm"]} - {assigned}
    assert now_held == {spare}
    assert await outbox_events(booking, loan["loan_id"]) == [
        "loan.reserved.v1",
        "loan.units_changed.v1",
    ]

    async def cancelled() -> bool:
        return (await loan_now(booking, tent_loan["loan_id"]))["status"] == "cancelled"

    await eventually(cancelled)
    assert (await loan_now(booking, tent_loan["loan_id"]))["cancel_reason"] == "stock"
    assert await outbox_events(booking, tent_loan["loan_id"]) == [
        "loan.reserved.v1",
        "loan.cancelled.v1",
    ]
    gone = await booking.client.get(
        "/lending/availability",
        params={
            "centre_id": str(centre.centre_id),
            "pickup_date": in_days(3).isoformat(),
            "return_date": in_days(4).isoformat(),
        },
    )
    free = {t["name"]: t["units_free"] for t in gone.json()["item_types"]}
    assert free == {"hjelm": 0, "telt": 0}


async def test_no_show_and_overdue_once_across_restarts(booking, isolated_kafka):
    centre = Centre("BUA Sørum")
    await stock_centre(booking, isolated_kafka, centre, {"skøyter": (3, 7)})
    skates = centre.type_id("skøyter")
    staff = await grant_staff(booking, isolated_kafka, "staff", [centre.centre_id])
    fetched = await reserve(booking, "family-a", [(skates, 1)], today(), today())
    forgotten = await reserve(booking, "family-b", [(skates, 1)], today(), today())
    waiting = await reserve(booking, "family-c", [(skates, 1)], in_days(1), in_days(2))
    picked = await booking.client.post(f"/loans/{fetched['loan_id']}/pickup", headers=staff)
    assert picked.status_code == 200, picked.text

    units = units_of_work(sessions(booking), messaging, source="/samspill/booking")
    tonight = datetime.combine(today(), time(23, 59), tzinfo=OSLO)
    nothing_yet = await move_loans_due(units, tonight, batch_size=1)
    assert (nothing_yet.no_shows, nothing_yet.overdues) == ([], [])

    after_midnight = datetime.combine(today() + timedelta(days=1), time(0, 1), tzinfo=OSLO)
    due = await move_loans_due(units, after_midnight, batch_size=1)
    assert [str(x) for x in due.no_shows] == [forgotten["loan_id"]]
    assert [str(x) for x in due.overdues] == [fetched["loan_id"]]
    assert await move_loans_due(units, after_midnight + timedelta(hours=1), 1) == type(due)()

    # A restarted scheduler (new object, new connections) finds nothing more to do.
    engine = create_engine(booking.settings.database_url, pool_size=2)
    try:
        restarted = units_of_work(session_factory(engine), messaging, source="/samspill/booking")
        batch_size = BookingSettings().lending_scheduler_batch_size
        later = await move_loans_due(restarted, after_midnight + timedelta(hours=2), batch_size)
        assert (later.no_shows, later.overdues) == ([], [])
    finally:
        await engine.dispose()

    assert await outbox_events(booking, forgotten["loan_id"]) == [
        "loan.reserved.v1",
        "loan.no_show.v1",
    ]
    assert await outbox_events(booking, fetched["loan_id"]) == [
        "loan.reserved.v1",
        "loan.picked_up.v1",
        "loan.overdue.v1",
    ]
    # The overdue pair is still out, so the next family's reservation moved to a free pair.
    waiting_now = await loan_now(booking, waiting["loan_id"])
    assert waiting_now["status"] == "reserved"
    assert not units_of(waiting_now) & units_of(fetched)
    assert await scalar(booking, "SELECT count(*) FROM loan WHERE status = 'overdue'") == 1
    returned = await booking.client.post(f"/loans/{fetched['loan_id']}/return", headers=staff)
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
