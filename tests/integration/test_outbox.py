"""The transactional outbox against the real PostgreSQL and a real Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import select

from samspill.infra import free_port, start_tansu
from samspill.kafka import KafkaConfig, ensure_topics
from samspill.outbox import OutboxRelay, pending_count, write_event
from tests.conftest import unique_topic
from tests.integration.kernel_support import (
    CounterBumped,
    contract,
    prepared_database,
    read_envelopes,
    tables,
)

pytestmark = pytest.mark.slow


async def test_rolled_back_transaction_leaves_no_event(database_factory, kafka_config):
    engine, sessions = await prepared_database(await database_factory("outbox_rollback"))
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    async with sessions() as session:
        await write_event(session, tables, CounterBumped(counter="a", by=1), key="a", source="/t")
        await session.rollback()
    async with sessions() as session:
        await write_event(session, tables, CounterBumped(counter="b", by=2), key="b", source="/t")
        await session.commit()

    relay = OutboxRelay(sessions, tables, kafka_config)
    assert await relay.publish_pending() == 1
    envelopes = await read_envelopes(kafka_config, topic_contract, expected=2, timeout=3)
    assert [e.data for e in envelopes] == [CounterBumped(counter="b", by=2)]
    await engine.dispose()


async def test_events_of_one_key_arrive_in_commit_order(database_factory, kafka_config):
    engine, sessions = await prepared_database(await database_factory("outbox_order"))
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    for i in range(30):
        async with sessions() as session:
            key = f"space-{i % 3}"
            await write_event(
                session, tables, CounterBumped(counter=key, by=i), key=key, source="/t"
            )
            await session.commit()

    relays = [OutboxRelay(sessions, tables, kafka_config, batch_size=4) for _ in range(3)]
    while sum(await asyncio.gather(*(r.publish_pending() for r in relays))):
        pass
    envelopes = await read_envelopes(kafka_config, topic_contract, expected=30)
    assert len(envelopes) == 30
    for key in ("space-0", "space-1", "space-2"):
        values = [e.data.by for e in envelopes if e.subject == key]
        assert values == sorted(values)
        assert len(values) == 10
    async with sessions() as session:
        assert await pending_count(session, tables) == 0
    await engine.dispose()


async def test_events_committed_while_broker_is_down_arrive_after_it_returns(database_factory):
    """Kafka down: rows wait and the relay backs off; restarted: every committed event arrives."""
    engine, sessions = await prepared_database(await database_factory("outbox_outage"))
    port = free_port()
    broker = start_tansu(port)
    kafka = KafkaConfig(f"127.0.0.1:{port}", request_timeout_s=2.0, partitions=2)
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka, [topic_contract.topic])
    relay = OutboxRelay(sessions, tables, kafka, poll_interval_s=0.05, max_backoff_s=0.5)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await _commit_bumps(sessions, range(0, 10))
        await _wait_until_published(sessions, 10)

        broker.stop()  # the in-memory broker forgets everything: a harsher outage than a cut
        await _commit_bumps(sessions, range(10, 25))
        await _wait_for_recorded_failure(sessions)
        async with sessions() as session:
            assert await pending_count(session, tables) == 15

        broker = start_tansu(port)
        await ensure_topics(kafka, [topic_contract.topic])
        await _wait_until_published(sessions, 25, timeout=30)
        envelopes = await read_envelopes(kafka, topic_contract, expected=15)
        # At least once: a produce retried after the restart may store a batch twice (the
        # embedded broker has no idempotent producer); copies keep their event id, which the
        # consumers' inbox absorbs.
        first_copies = {e.id: e.data.by for e in envelopes}
        assert sorted(first_copies.values()) == list(range(10, 25))
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
        broker.stop()
        await engine.dispose()


async def _commit_bumps(sessions, values) -> None:
    for value in values:
        async with sessions() as session:
            await write_event(
                session, tables, CounterBumped(counter="c", by=value), key="c", source="/t"
            )
            await session.commit()


async def _wait_until_published(sessions, total: int, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        async with sessions() as session:
            if await pending_count(session, tables) == 0:
                count = await session.scalar(
                    select(tables.outbox.c.id).order_by(tables.outbox.c.id.desc()).limit(1)
                )
                if count is not None and count >= total:
                    return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not all {total} events were published in {timeout} s")


async def _wait_for_recorded_failure(sessions, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        async with sessions() as session:
            failed = await session.scalar(
                select(tables.outbox.c.last_error).where(tables.outbox.c.last_error.is_not(None))
            )
        if failed is not None:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the relay recorded no failure while the broker was down")
