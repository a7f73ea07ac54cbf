"""The backfill of `samspill.booking.state` (`python -m booking publish-states`) against the real
booking and notifications services, database and broker.

Booking holds organisations, memberships, a profile, bookings (a club's and a resident's), a
resident's series, a club's series handed to a team and published as an activity, a round and a
returned loan, and a person erased (their own rows anonymised, their profile and membership
gone); notifications built its read model from the events. A state topic without them (a fresh
one, as after the state topic was added or lost) makes the rebuild refuse. The backfill queues
one state per aggregate, says how many per kind, and the live consumer applies them without a
message and without changing its model; a state topic holding only the backfilled states then
rebuilds exactly that model. A second run publishes the same states, and nothing it publishes
names the erased person.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from booking.cli import cli
from booking.state_backfill.use_cases import publish_states
from notifications.readmodel.use_cases import rebuild_read_model
from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import REPUBLISHED_HEADER
from samspill.infra import start_tansu
from samspill.replay import HistoryMissing, Record, StateGap, TopicReader
from tests.integration.booking.personal_data_support import PLANTED, plant
from tests.integration.booking.rounds_support import create_round, round_body
from tests.integration.booking.test_activities_public import ACTIVITY
from tests.integration.booking.test_teams_series import CONTACT, make_series
from tests.integration.booking.world import World
from tests.integration.notifications.test_readmodel_rebuild import (
    copy_topic,
    live_notifications,
    snapshot,
)
from tests.support import RunningService, eventually

pytestmark = pytest.mark.slow

KINDS = {
    "organisations": 2,
    "memberships": 2,  # the two founders; the erased person's membership is gone
    "profiles": 1,
    "bookings": 9,  # the planted two, the resident's series of three, the club's of four
    "series": 2,
    "team hand-overs": 1,
    "activities": 1,
    "rounds": 1,
    "loans": 1,
}


def republished(record: Record) -> bool:
    return (REPUBLISHED_HEADER, b"true") in list(record.headers)


async def _all_sent(world: World) -> None:
    async def done() -> bool:
        pending = await world.db.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return pending == 0

    await eventually(done, timeout=30, interval=0.1)


async def _event_ids(world: World, topic: str) -> set[str]:
    async with TopicReader(world.kafka, topic) as reader:
        records = await reader.read_to_end()
    return {dict(r.headers)["ce_id"].decode() for r in records if r.value is not None}


async def _all_applied(world: World, service: RunningService) -> None:
    """Every event on both topics is in the notifications consumer's inbox."""
    await _all_sent(world)
    wanted = await _event_ids(world, fa.TOPIC) | await _event_ids(world, bk.TOPIC)

    async def done() -> bool:
        async with service.app.state.runtime.sessions() as session:
            rows = await session.execute(text("SELECT event_id::text FROM inbox"))
            return wanted <= {row[0] for row in rows}

    await eventually(done, timeout=60, interval=0.2)


async def _messages(service: RunningService) -> int:
    async with service.app.state.runtime.sessions() as session:
        return int(await session.scalar(text("SELECT count(*) FROM message")) or 0)


async def _states(world: World) -> list[Record]:
    async with TopicReader(world.kafka, bk.STATE_TOPIC) as reader:
        return await reader.read_to_end()


async def _build(world: World) -> str:
    """Everything booking keeps state of; returns the erased person's id."""
    client = world.service.client
    planted = await plant(world, sub="erased-1")
    erased = await client.post("/me/erasure", headers=planted.headers)
    assert erased.status_code == 202, erased.text

    club = world.organisations[0]
    admin = world.member(club)
    profile = {"display_name": "Kari Leder", "email": "kari@example.no"}
    assert (await client.put("/me/profile", json=profile, headers=admin)).status_code == 200
    team = await client.post(
        f"/organisations/{club}/teams", json={"name": "G12", "contact": CONTACT}, headers=admin
    )
    assert team.status_code == 201, team.text
    series = await make_series(world, club)
    path = f"/booking-series/{series['id']}"
    handed = await client.put(f"{path}/team", json={"team_id": team.json()["id"]}, headers=admin)
    assert handed.status_code == 200, handed.text
    shown = await client.put(f"{path}/public-activity", json=ACTIVITY, headers=admin)
    assert shown.status_code == 200, shown.text
    await create_round(world, round_body([world.hall]))
    return planted.person_id


async def _run_command(world: World) -> str:
    settings = world.service.settings
    env = {
        "SAMSPILL_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "REDIS_URL": settings.redis_url,
    }
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["publish-states", "--batch-size", "2"], env=env
    )
    assert result.exit_code == 0, result.output
    return result.output


def _payloads(records: Sequence[Record]) -> dict[bytes, tuple[str, Any]]:
    """Per key, the event type and data of the last record."""
    return {
        record.key or b"": (
            dict(record.headers)["ce_type"].decode(),
            json.loads(record.value or b""),
        )
        for record in records
    }


async def test_a_backfilled_state_topic_rebuilds_the_live_read_model(
    world: World, infra, database_factory
) -> None:
    person = await _build(world)
    async with await live_notifications(
        infra, world.kafka, database_factory, "notif_backfill"
    ) as notifications:
        await _all_applied(world, notifications)
        before = await snapshot(notifications)
        held = {r.key for r in (await _newest(world)).values() if r.value is not None}
        assert len(before["guide_activity"]) == 1
        assert len(before["loan"]) == 1
        messages = await _messages(notifications)
        before_model = await _model(notifications)
        runtime = notifications.app.state.runtime

        fresh = start_tansu()
        try:
            thin = dataclasses.replace(runtime.kafka, bootstrap_servers=fresh.url)
            await copy_topic(runtime.kafka, thin, fa.TOPIC, list)
            # A state topic without the aggregates: the rebuild refuses and changes nothing.
            await copy_topic(runtime.kafka, thin, bk.STATE_TOPIC, lambda _: [], state=True)
            with pytest.raises(HistoryMissing) as refused:
                await rebuild_read_model(runtime.sessions, thin)
            assert isinstance(refused.value.gap, StateGap)
            assert await snapshot(notifications) == before

            # The backfill, in pages of three, one transaction each.
            sessions = world.service.app.state.sessions
            assert await publish_states(sessions, batch_size=3) == KINDS
            await _all_applied(world, notifications)
            assert await _messages(notifications) == messages, "a republished state tells no one"
            live = await snapshot(notifications)
            assert await _model(notifications) == before_model

            first = [r for r in await _states(world) if republished(r)]
            assert len(first) == sum(KINDS.values())
            assert {r.key for r in first} == held, "every aggregate that holds a state"

            # A state topic holding only the backfilled states rebuilds the same model.
            await copy_topic(runtime.kafka, thin, bk.STATE_TOPIC, _republished_only, state=True)
            await rebuild_read_model(runtime.sessions, thin)
            assert await snapshot(notifications) == live
        finally:
            fresh.stop()

        # Again, through the command: the same states, counted per kind.
        output = await _run_command(world)
        for kind, count in KINDS.items():
            assert f"{kind}: {count}\n" in output
        assert f"Queued {sum(KINDS.values())} states" in output
        assert f"La {sum(KINDS.values())} tilstander" in output
        await _all_applied(world, notifications)
        everything = [r for r in await _states(world) if republished(r)]
        seen = {_event_id(record) for record in first}
        second = [record for record in everything if _event_id(record) not in seen]
        assert len(second) == len(first)
        assert _payloads(second) == _payloads(first)
        assert await _model(notifications) == before_model
        assert await _messages(notifications) == messages

    # Nothing backfilled names the erased person; their rows went out anonymised.
    for record in everything:
        shown = (record.value or b"").decode().lower()
        assert not [n for n in (person, *PLANTED) if n.lower() in shown], record.key
    assert not [r for r in everything if (r.key or b"").startswith(f"profile:{person}".encode())]
    types = {dict(r.headers)["ce_type"].decode() for r in everything}
    assert {bk.BookingAnonymised.event_type(), bk.SeriesAnonymised.event_type()} <= types
    assert bk.LoanAnonymised.event_type() in types


def _event_id(record: Record) -> bytes:
    return dict(record.headers)["ce_id"]


def _republished_only(records: list[Record]) -> list[Record]:
    return [record for record in records if republished(record)]


# Columns that say when a consumer applied an aggregate's latest event, not what the event
# carried: a republished state is applied when it arrives (a guide entry counts it as a change,
# the calendars' SEQUENCE).
TIMES = ("changed_at", "team_changed_at", "changes")


async def _model(service: RunningService) -> dict[str, list[str]]:
    """The read model as `snapshot` has it, without the times of applying."""
    model = await snapshot(service)
    dropped = "".join(f" - '{name}'" for name in TIMES)
    async with service.app.state.runtime.sessions() as session:
        return {
            name: sorted(
                str(row[0])
                for row in await session.execute(text(f"SELECT to_jsonb(r){dropped} FROM {name} r"))
            )
            for name in model
        }


async def _newest(world: World) -> dict[bytes | None, Record]:
    return {record.key: record for record in await _states(world)}
