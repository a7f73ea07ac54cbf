"""The transactional outbox against the real PostgreSQL and a real Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import insert, select, update

from samspill.db import UnitOfWork
from samspill.events.base import Envelope
from samspill.infra import free_port, start_tansu
from samspill.kafka import KafkaConfig, ensure_topics
from samspill.observability import Metrics
from samspill.outbox import (
    DeadLetterMetrics,
    OutboxRelay,
    bucket_of,
    pending_count,
)
from tests.conftest import unique_topic
from tests.integration.kernel_support import (
    CounterBumped,
    contract,
    prepared_database,
    read_envelopes,
    tables,
)
from tests.support import eventually

pytestmark = pytest.mark.slow


async def test_rolled_back_transaction_leaves_no_event(database_factory, kafka_config):
    engine, sessions = await prepared_database(await database_factory("outbox_rollback"))
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    async with UnitOfWork(sessions, tables, source="/t") as uow:
        await uow.publish(CounterBumped(counter="a", by=1), key="a")
        await uow.rollback()
    async with UnitOfWork(sessions, tables, source="/t") as uow:
        await uow.publish(CounterBumped(counter="b", by=2), key="b")
        await uow.commit()

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
        async with UnitOfWork(sessions, tables, source="/t") as uow:
            key = f"space-{i % 3}"
            await uow.publish(CounterBumped(counter=key, by=i), key=key)
            await uow.commit()

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
    relay = OutboxRelay(
        sessions, tables, kafka, poll_interval_s=0.05, max_backoff_s=0.5, max_attempts=1
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await _commit_bumps(sessions, range(0, 10))
        await _wait_until_published(sessions, 10)

        broker.stop()  # the in-memory broker forgets everything: a harsher outage than a cut
        # As if these rows had failed before: the relay sends the first one alone, on a
        # producer still connected, and that failed send would be dead-lettered at once were
        # the outage taken for the record's fault (max_attempts=1).
        await _commit_bumps(sessions, range(10, 25), failed_before=True)
        await _wait_for_failure_after_outage(sessions)
        assert await _dead_letter_rows(sessions) == []
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
        assert await _dead_letter_rows(sessions) == []
        assert relay.dead_lettered == 0
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
        broker.stop()
        await engine.dispose()


async def _commit_bumps(sessions, values, *, failed_before: bool = False) -> None:
    for value in values:
        async with UnitOfWork(sessions, tables, source="/t") as uow:
            envelope = await uow.publish(CounterBumped(counter="c", by=value), key="c")
            if failed_before:
                await uow.session.execute(
                    update(tables.outbox)
                    .where(tables.outbox.c.event_id == envelope.id)
                    .values(attempts=1, last_error="RuntimeError('earlier failure')")
                )
            await uow.commit()


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


async def _wait_for_failure_after_outage(sessions) -> None:
    """Until a row that had failed before fails again, or (wrongly) is dead-lettered."""

    async def settled() -> bool:
        async with sessions() as session:
            failed = await session.scalar(
                select(tables.outbox.c.id).where(tables.outbox.c.attempts >= 2).limit(1)
            )
        return failed is not None or bool(await _dead_letter_rows(sessions))

    await eventually(settled, timeout=15)


async def test_a_record_the_producer_refuses_is_dead_lettered_and_its_bucket_flows_on(
    database_factory, kafka_config
):
    """A row over the producer's 1 MiB limit (written past the writer's size check) used to be
    retried forever, holding back every later row of its bucket: here events 2-4 of key "c"."""
    engine, sessions = await prepared_database(await database_factory("outbox_poison"))
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    metrics = Metrics()
    collector = DeadLetterMetrics(sessions, tables)
    metrics.add_refreshed_collector("dead_letters", collector, collector.refresh)
    await metrics.refresh()
    assert _metric(metrics, "outbox_dead_letters") == 0
    assert _metric(metrics, "outbox_dead_lettered_total") == 0

    await _commit_bumps(sessions, range(0, 2))
    oversized = await _insert_oversized_row(sessions, topic_contract.topic, key="c")
    await _commit_bumps(sessions, range(2, 5))

    relay = OutboxRelay(sessions, tables, kafka_config, poll_interval_s=0.05, max_backoff_s=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        envelopes = await read_envelopes(kafka_config, topic_contract, expected=5, timeout=20)
        assert [e.data.by for e in envelopes] == [0, 1, 2, 3, 4]
        letters = await eventually(lambda: _dead_letter_rows(sessions))
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
    assert relay.dead_lettered == 1
    (letter,) = letters
    assert letter.event_id == oversized.id
    assert letter.key == "c"
    assert letter.topic == topic_contract.topic
    assert letter.attempts == 3  # the default max_attempts
    assert "MessageSizeTooLargeError" in letter.error
    assert letter.dead_lettered_at is not None
    assert len(letter.value) > 1_000_000
    async with sessions() as session:
        assert await pending_count(session, tables) == 0
    await metrics.refresh()
    assert _metric(metrics, "outbox_dead_letters") == 1
    assert _metric(metrics, "outbox_dead_lettered_total") == 1
    await engine.dispose()


async def _insert_oversized_row(sessions, topic: str, key: str) -> Envelope:
    """An outbox row as an older writer without the size check could store it."""
    oversized = Envelope(data=CounterBumped(counter="x" * 1_100_000, by=99), source="/t")
    async with sessions() as session:
        await session.execute(
            insert(tables.outbox).values(
                event_id=oversized.id,
                topic=topic,
                key=key,
                bucket=bucket_of(key),
                event_type=oversized.type,
                headers=[[name, raw.decode()] for name, raw in oversized.headers()],
                value=oversized.value(),
            )
        )
        await session.commit()
    return oversized


async def _dead_letter_rows(sessions) -> list:
    async with sessions() as session:
        result = await session.execute(
            select(tables.dead_letters).order_by(tables.dead_letters.c.id)
        )
        return list(result.all())


def _metric(metrics: Metrics, name: str) -> float | None:
    return metrics.registry.get_sample_value(name)
