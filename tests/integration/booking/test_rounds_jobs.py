"""The rounds job opens a round on its opening day and sends it to allocation the day after it
closes (Oslo days), once each, with `round.changed` for every move."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from booking.rounds.jobs import move_rounds_due
from booking.tables import messaging
from samspill.db import units_of_work
from samspill.recurrence import OSLO
from tests.integration.booking.rounds_support import create_round, day, round_body
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


def oslo(on: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(on, time(hour, minute), tzinfo=OSLO)


async def test_rounds_move_by_their_dates(world: World) -> None:
    round_ = await create_round(world, round_body([world.hall], opens_in=2))
    other = await create_round(world, round_body([world.other_gym], opens_in=2, name="Kjeller"))
    assert round_["state"] == other["state"] == "upcoming"
    opens, closes = day(round_["applications_open"]), day(round_["applications_close"])
    units = units_of_work(world.service.app.state.sessions, messaging, source="/samspill/booking")

    async def state(round_id: str) -> str:
        answer = await world.service.client.get(f"/rounds/{round_id}")
        return str(answer.json()["state"])

    assert await move_rounds_due(units, oslo(opens - timedelta(days=1), 23, 59)) == []
    moved = await move_rounds_due(units, oslo(opens, 0, 1), batch_size=1)
    assert {str(r) for r in moved} == {round_["id"], other["id"]}
    assert await state(round_["id"]) == "open"
    assert await move_rounds_due(units, oslo(opens, 12)) == []
    assert await move_rounds_due(units, oslo(closes, 23, 59)) == []

    await world.service.client.post(f"/rounds/{other['id']}/close", headers=world.admin())
    after = await move_rounds_due(units, oslo(closes + timedelta(days=1), 0, 1))
    assert [str(r) for r in after] == [round_["id"]]
    assert await state(round_["id"]) == "in_allocation"
    assert await move_rounds_due(units, oslo(closes + timedelta(days=2), 9)) == []

    events = await world.db.events("samspill.booking.round.changed.v1")
    moves = [
        (e["round"]["state"], e["previous_state"])
        for e in events
        if e["round"]["round_id"] == round_["id"]
    ]
    assert moves == [("upcoming", None), ("open", "upcoming"), ("in_allocation", "open")]


async def test_a_round_missed_while_open_goes_straight_through(world: World) -> None:
    """A job that was away for the whole application period makes both moves in one run."""
    round_ = await create_round(world, round_body([world.hall], opens_in=2))
    closes = day(round_["applications_close"])
    units = units_of_work(world.service.app.state.sessions, messaging, source="/samspill/booking")
    moved = await move_rounds_due(units, oslo(closes + timedelta(days=3), 8))
    assert [str(r) for r in moved] == [round_["id"]]
    events = await world.db.events("samspill.booking.round.changed.v1")
    assert [e["previous_state"] for e in events] == [None, "upcoming", "open"]
