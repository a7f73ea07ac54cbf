"""State topics: the relay sends a state event to its topic and to the state topic (under the
compaction key, in the partition its ordering key chooses), a one-off event to its topic only,
and marks a row published only when both records are acknowledged; the consumer's inbox keeps
the digests of the keys it applied."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from aiokafka.partitioner import murmur2
from sqlalchemy import select

from samspill.consumer import ConsumerRunner, ConsumerSpec
from samspill.db import UnitOfWork
from samspill.events.base import Envelope, StateEntry, TopicContract, dlq_topic
from samspill.kafka import KafkaConfig, ensure_topics
from samspill.outbox import OutboxRelay, pending_count
from samspill.replay import Record, TopicReader
from tests.conftest import unique_topic
from tests.integration.kernel_support import (
    CounterBumped,
    CounterRemoved,
    CounterSet,
    prepared_database,
    state_contract,
    tables,
)
from tests.support import eventually

pytestmark = pytest.mark.slow


async def _records(kafka: KafkaConfig, topic: str) -> list[Record]:
    async with TopicReader(kafka, topic) as reader:
        return await reader.read_to_end()


async def _publish(sessions, *events: tuple[Any, str]) -> None:
    for event, key in events:
        async with UnitOfWork(sessions, tables, source="/t") as uow:
            await uow.publish(event, key=key)
            await uow.commit()


async def _state_topics(kafka_config: KafkaConfig) -> TopicContract:
    """A new event topic with its state topic, created on the broker."""
    topics = state_contract(unique_topic())
    assert topics.state_topic is not None
    await ensure_topics(kafka_config, [topics.topic], state_topics=[topics.state_topic])
    return topics


def _partition(key: str, partitions: int) -> int:
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


async def test_a_state_event_reaches_both_topics_and_a_one_off_only_its_own(
    database_factory, kafka_config
):
    engine, sessions = await prepared_database(await database_factory("outbox_state"))
    topics = await _state_topics(kafka_config)
    await _publish(
        sessions,
        (CounterSet(counter="a", value=1), "space-1"),
        (CounterBumped(counter="a", by=5), "space-1"),
        (CounterSet(counter="a", value=2), "space-1"),
        (CounterSet(counter="b", value=7), "space-2"),
        (CounterRemoved(counter="b"), "space-2"),
    )
    relay = OutboxRelay(sessions, tables, kafka_config)
    assert await relay.publish_pending() == 5

    events = await _records(kafka_config, topics.topic)
    assert len(events) == 5
    states = await _records(kafka_config, topics.state_topic)
    by_key = {
        key: [r.value is None for r in states if r.key == key] for key in {r.key for r in states}
    }
    assert by_key == {b"counter:a": [False, False], b"counter:b": [False, True]}
    by_event_id = {_header(r, "ce_id"): r for r in events}
    for state in states:
        if state.value is None:  # the tombstone: no event, no headers but a trace's
            assert _ce_headers(state) == []
            assert state.partition == _partition("space-2", kafka_config.partitions)
            continue
        event = by_event_id[_header(state, "ce_id")]
        assert state.partition == _partition(event.key.decode(), kafka_config.partitions)
        assert state.partition == event.partition  # both topics have as many partitions
        assert (state.value, _ce_headers(state)) == (event.value, _ce_headers(event))
    a_states = [topics.decode(r.headers, r.value) for r in states if r.key == b"counter:a"]
    assert [e.data.value for e in a_states] == [1, 2]
    assert all(e.type != CounterBumped.event_type() for e in a_states)
    await engine.dispose()


async def test_states_of_one_key_end_with_the_newest_under_parallel_relays(
    database_factory, kafka_config
):
    engine, sessions = await prepared_database(await database_factory("outbox_state_order"))
    topics = await _state_topics(kafka_config)
    for value in range(30):
        counter = f"c{value % 3}"
        await _publish(sessions, (CounterSet(counter=counter, value=value), f"space-{counter}"))
    relays = [OutboxRelay(sessions, tables, kafka_config, batch_size=4) for _ in range(3)]
    while sum(await asyncio.gather(*(r.publish_pending() for r in relays))):
        pass
    states = await _records(kafka_config, topics.state_topic)
    for counter in ("c0", "c1", "c2"):
        mine = [r for r in states if r.key == f"counter:{counter}".encode()]
        assert len({r.partition for r in mine}) == 1
        values = [topics.decode(r.headers, r.value).data.value for r in mine]
        assert values == sorted(values)
        assert len(values) == 10
    await engine.dispose()


class StateSendFailsOnce(OutboxRelay):
    """The broker refuses the first state record it is handed (after the event record went),
    as a broker that fails between the two produces."""

    failed = False

    def _partition_of(self, partitions: Iterable[int], key: bytes) -> int:
        if not self.failed:
            self.failed = True
            return 999  # no such partition: the producer refuses the record
        return super()._partition_of(partitions, key)


async def test_a_failure_between_the_two_produces_leaves_the_row_unpublished_until_both_went(
    database_factory, kafka_config
):
    engine, sessions = await prepared_database(await database_factory("outbox_state_fail"))
    topics = await _state_topics(kafka_config)
    await _publish(
        sessions,
        (CounterSet(counter="a", value=1), "space-1"),
        (CounterSet(counter="a", value=2), "space-1"),
    )
    relay = StateSendFailsOnce(sessions, tables, kafka_config, max_attempts=1)
    with pytest.raises(AssertionError):
        await relay.publish_pending()
    async with sessions() as session:
        assert await pending_count(session, tables) == 2
        (first,) = (
            await session.execute(select(tables.outbox).where(tables.outbox.c.attempts > 0))
        ).all()
    assert first.attempts == 1
    assert "AssertionError" in (first.last_error or "")
    assert await _records(kafka_config, topics.state_topic) == []
    (went,) = await _records(kafka_config, topics.topic)  # its event record went before
    assert _header(went, "ce_id") == first.event_id

    published = 0
    while moved := await relay.publish_pending():  # the failed row alone, then the other
        published += moved
    assert published == 2
    assert relay.dead_lettered == 0
    states = await _records(kafka_config, topics.state_topic)
    values = [topics.decode(r.headers, r.value).data.value for r in states]
    assert values[-1] == 2
    assert sorted(set(values)) == [1, 2]
    events = await _records(kafka_config, topics.topic)
    assert {_header(r, "ce_id") for r in events} == {_header(r, "ce_id") for r in states}
    await engine.dispose()


async def test_the_inbox_keeps_the_digests_of_live_aggregates(database_factory, kafka_config):
    engine, sessions = await prepared_database(await database_factory("inbox_state_keys"))
    topics = await _state_topics(kafka_config)
    await _publish(
        sessions,
        (CounterSet(counter="a", value=1), "space-1"),
        (CounterSet(counter="b", value=1), "space-2"),
        (CounterBumped(counter="a", by=1), "space-1"),
        (CounterRemoved(counter="b"), "space-2"),
    )
    assert await OutboxRelay(sessions, tables, kafka_config).publish_pending() == 4

    async def ignore(uow: UnitOfWork, envelope: Envelope) -> None:
        return None

    spec = ConsumerSpec(f"g-{uuid.uuid4().hex[:6]}", [topics], ignore, dlq_topic("t"))
    runner = ConsumerRunner(spec, sessions, tables, kafka_config)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await eventually(lambda: _applied(runner, 4))
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
    async with sessions() as session:
        rows = (
            await session.execute(
                select(tables.inbox.c.event_type, tables.inbox.c.state_key_digest)
            )
        ).all()
    digests = {row.state_key_digest for row in rows}
    assert digests == {StateEntry("counter:a").digest(), None}
    await engine.dispose()


async def _applied(runner: ConsumerRunner, count: int) -> bool:
    return runner.applied >= count


def _ce_headers(record: Record) -> list[tuple[str, bytes]]:
    """The CloudEvents headers (a traced producer adds its own `traceparent` to each send)."""
    return [(name, value) for name, value in record.headers if name != "traceparent"]


def _header(record: Record, name: str) -> str:
    return dict(record.headers)[name].decode()
