"""The consumer runner against the real PostgreSQL and a real Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from samspill.consumer import ConsumerRunner, ConsumerSpec
from samspill.db import UnitOfWork
from samspill.events.base import Envelope, dlq_topic
from samspill.kafka import KafkaConfig, ensure_topics, new_producer, start_client, stop_client
from tests.conftest import unique_topic
from tests.integration.kernel_support import (
    CounterBumped,
    CounterSet,
    contract,
    counters,
    prepared_database,
    state_contract,
    tables,
)

pytestmark = pytest.mark.slow


async def bump(uow: UnitOfWork, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, CounterBumped)
    if data.by < 0:
        raise ValueError("a counter is never bumped by a negative amount")
    statement = pg_insert(counters).values(name=data.counter, value=data.by)
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[counters.c.name], set_={"value": counters.c.value + data.by}
        )
    )


async def _publish(
    kafka: KafkaConfig, topic: str, envelopes: list[Envelope], raw: list[tuple] = ()
) -> None:
    producer: AIOKafkaProducer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                topic, envelope.value(), key=b"k", headers=envelope.headers()
            )
        for value, headers in raw:
            await producer.send_and_wait(topic, value, key=b"k", headers=headers)
    finally:
        await stop_client(producer, kafka.request_timeout_s)


async def _counter(sessions, name: str) -> int | None:
    async with sessions() as session:
        return await session.scalar(select(counters.c.value).where(counters.c.name == name))


async def _run_until(runner: ConsumerRunner, condition, timeout: float = 20) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not await condition():
            assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
            assert not task.done(), task.exception()
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)


async def test_redelivered_event_is_applied_once(database_factory, kafka_config):
    engine, sessions = await prepared_database(await database_factory("consumer_once"))
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    first = Envelope(data=CounterBumped(counter="x", by=5), source="/t")
    again = Envelope(data=first.data, id=first.id, source="/t")  # the same event, sent twice
    await _publish(
        kafka_config,
        topic_contract.topic,
        [first, again, Envelope(data=CounterBumped(counter="x", by=1), source="/t")],
    )
    spec = ConsumerSpec(f"g-{uuid.uuid4().hex[:6]}", [topic_contract], bump, dlq_topic("t"))
    runner = ConsumerRunner(spec, sessions, tables, kafka_config)

    async def done() -> bool:
        return runner.applied == 2

    await _run_until(runner, done)
    assert await _counter(sessions, "x") == 6

    # A restarted consumer of the same group resumes after the committed offsets.
    again_runner = ConsumerRunner(spec, sessions, tables, kafka_config)
    await _publish(
        kafka_config,
        topic_contract.topic,
        [Envelope(data=CounterBumped(counter="x", by=10), source="/t")],
    )

    async def resumed() -> bool:
        return again_runner.applied == 1

    await _run_until(again_runner, resumed)
    assert await _counter(sessions, "x") == 16
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.inbox)) == 3
    await engine.dispose()


async def test_events_of_types_the_consumer_does_not_apply_are_passed_over_unread(
    database_factory, kafka_config
):
    """A consumer naming the types it applies leaves the others alone: no handler call, no
    inbox row; it reads on past them, and so does the group after a restart."""
    engine, sessions = await prepared_database(await database_factory("consumer_types"))
    topic_contract = state_contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    handled: list[str] = []

    async def bump_only(uow: UnitOfWork, envelope: Envelope) -> None:
        handled.append(envelope.type)
        await bump(uow, envelope)

    await _publish(
        kafka_config,
        topic_contract.topic,
        [
            Envelope(data=CounterSet(counter="y", value=100), source="/t"),
            Envelope(data=CounterBumped(counter="y", by=2), source="/t"),
            Envelope(data=CounterSet(counter="y", value=7), source="/t"),
        ],
    )
    spec = ConsumerSpec(
        f"g-{uuid.uuid4().hex[:6]}",
        [topic_contract],
        bump_only,
        dlq_topic("t"),
        event_types=frozenset({CounterBumped}),
    )
    runner = ConsumerRunner(spec, sessions, tables, kafka_config)

    async def bumped() -> bool:
        return runner.applied == 1

    await _run_until(runner, bumped)
    assert handled == [CounterBumped.event_type()]
    assert await _counter(sessions, "y") == 2
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.inbox)) == 1

    # Restarted, the group goes on with what came after.
    await _publish(
        kafka_config,
        topic_contract.topic,
        [Envelope(data=CounterBumped(counter="y", by=3), source="/t")],
    )
    restarted = ConsumerRunner(spec, sessions, tables, kafka_config)

    async def resumed() -> bool:
        return restarted.applied == 1

    await _run_until(restarted, resumed)
    assert handled == [CounterBumped.event_type()] * 2
    assert await _counter(sessions, "y") == 5
    await engine.dispose()


async def test_poison_events_go_to_the_dead_letter_topic_and_later_ones_flow(
    database_factory, kafka_config
):
    engine, sessions = await prepared_database(await database_factory("consumer_dlq"))
    topic_contract = contract(unique_topic())
    dlq = unique_topic("dlq")
    await ensure_topics(kafka_config, [topic_contract.topic, dlq])
    bad_handler = Envelope(data=CounterBumped(counter="p", by=-1), source="/t")
    await _publish(
        kafka_config,
        topic_contract.topic,
        [bad_handler, Envelope(data=CounterBumped(counter="p", by=3), source="/t")],
        raw=[
            (
                b"{not json",
                [
                    ("ce_specversion", b"1.0"),
                    ("ce_id", b"1"),
                    ("ce_type", b"samspill.test.counter_bumped.v1"),
                ],
            )
        ],
    )
    await _publish(
        kafka_config,
        topic_contract.topic,
        [Envelope(data=CounterBumped(counter="p", by=4), source="/t")],
    )
    spec = ConsumerSpec(f"g-{uuid.uuid4().hex[:6]}", [topic_contract], bump, dlq)
    runner = ConsumerRunner(spec, sessions, tables, kafka_config, max_attempts=3, retry_base_s=0.01)

    async def done() -> bool:
        return runner.applied == 2 and runner.dead_lettered == 2

    await _run_until(runner, done)
    assert await _counter(sessions, "p") == 7

    dead = await _read_raw(kafka_config, dlq, expected=2)
    errors = sorted(headers["dlq_error"].split("(")[0] for headers in dead)
    assert errors == ["UndecodableEvent", "ValueError"]
    assert all(headers["dlq_topic"] == topic_contract.topic for headers in dead)
    await engine.dispose()


async def _read_raw(kafka: KafkaConfig, topic: str, expected: int) -> list[dict[str, str]]:
    from samspill.kafka import new_consumer

    consumer = new_consumer(kafka, topic, group_id=None)
    await start_client(consumer, kafka.request_timeout_s)
    found: list[dict[str, str]] = []
    try:
        for _ in range(100):
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                found.extend({k: v.decode() for k, v in r.headers} for r in records)
            if len(found) >= expected:
                break
    finally:
        await stop_client(consumer, kafka.request_timeout_s)
    return found


async def test_trace_context_travels_from_outbox_through_kafka_to_the_handler(
    database_factory, kafka_config, spans
):
    from opentelemetry import trace

    from samspill.outbox import OutboxRelay
    from samspill.tracing import current_traceparent

    engine, sessions = await prepared_database(await database_factory("consumer_trace"))
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    with trace.get_tracer("test").start_as_current_span("request") as request:
        async with UnitOfWork(sessions, tables, source="/t") as uow:
            await uow.publish(CounterBumped(counter="t", by=1), key="t")
            await uow.commit()
    trace_id = request.get_span_context().trace_id
    await OutboxRelay(sessions, tables, kafka_config).publish_pending()

    seen: list[str | None] = []

    async def remember_trace(uow: UnitOfWork, envelope: Envelope) -> None:
        seen.append(current_traceparent())

    spec = ConsumerSpec(f"g-{uuid.uuid4().hex[:6]}", [topic_contract], remember_trace, "dlq.t")
    runner = ConsumerRunner(spec, sessions, tables, kafka_config)

    async def done() -> bool:
        return runner.applied == 1

    await _run_until(runner, done)
    assert len(seen) == 1
    assert seen[0] is not None
    assert seen[0].split("-")[1] == format(trace_id, "032x")
    by_name = {span.name: span for span in spans.get_finished_spans()}
    send = by_name[f"{topic_contract.topic} send"]
    process = by_name[f"process {topic_contract.topic}"]
    assert send.context.trace_id == process.context.trace_id == trace_id
    assert send.parent is not None
    assert send.parent.span_id == request.get_span_context().span_id
    assert process.parent is not None
    assert process.parent.span_id == send.context.span_id  # the record's traceparent
    await engine.dispose()


async def test_a_handler_publishes_through_the_consumers_unit_of_work_and_wakes_the_relay(
    database_factory, kafka_config
):
    """Follow-up events are committed with the inbox row, carry the aggregate id as subject,
    and the relay is woken once the transaction has committed."""
    engine, sessions = await prepared_database(await database_factory("consumer_publish"))
    topic_contract = contract(unique_topic())
    await ensure_topics(kafka_config, [topic_contract.topic])
    await _publish(
        kafka_config,
        topic_contract.topic,
        [Envelope(data=CounterBumped(counter="w", by=1), source="/t")],
    )

    async def follow_up(uow: UnitOfWork, envelope: Envelope) -> None:
        await uow.publish(CounterBumped(counter="follow-up", by=1), key="ordering-key")

    woken = asyncio.Event()

    def wake() -> None:
        woken.set()

    spec = ConsumerSpec(f"g-{uuid.uuid4().hex[:6]}", [topic_contract], follow_up, "dlq.t")
    runner = ConsumerRunner(spec, sessions, tables, kafka_config, source="/t", on_commit=wake)

    async def done() -> bool:
        return runner.applied == 1 and woken.is_set()

    await _run_until(runner, done)
    async with sessions() as session:
        row = (await session.execute(select(tables.outbox))).one()
    assert row.key == "ordering-key"
    assert ["ce_subject", "follow-up"] in row.headers
    await engine.dispose()
