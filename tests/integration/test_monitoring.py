"""The operations metrics on a real broker and database: consumer lag per group, records
waiting on a dead-letter topic, the outbox backlog, and the dependency monitor's state."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import structlog.testing
from aiokafka import TopicPartition
from sqlalchemy import insert

from samspill.kafka import (
    KafkaConfig,
    ensure_topics,
    new_consumer,
    new_producer,
    start_client,
    stop_client,
)
from samspill.monitoring import (
    DependencyMonitor,
    GroupWatch,
    KafkaLagMetrics,
    OutboxBacklogMetrics,
)
from samspill.observability import Metrics
from tests.conftest import unique_topic
from tests.integration.kernel_support import prepared_database, tables

pytestmark = pytest.mark.slow


async def produce(kafka: KafkaConfig, topic: str, count: int) -> None:
    producer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        for n in range(count):
            await producer.send_and_wait(topic, b"x", key=str(n % 3).encode())
    finally:
        await stop_client(producer, kafka.request_timeout_s)


async def commit_all_but(kafka: KafkaConfig, topic: str, group: str, left: int) -> None:
    """Commit the group's offsets so that exactly `left` records stay behind."""
    consumer = new_consumer(kafka, topic, group_id=group)
    await start_client(consumer, kafka.request_timeout_s)
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        ends = await consumer.end_offsets(sorted(consumer.assignment()))
        offsets: dict[TopicPartition, int] = {}
        for partition, end in sorted(ends.items()):
            back = min(left, end)
            offsets[partition] = end - back
            left -= back
        await consumer.commit(offsets)
    finally:
        await stop_client(consumer, kafka.request_timeout_s)


async def test_lag_per_group_and_dead_letters_waiting(kafka_config: KafkaConfig) -> None:
    topic, dlq = unique_topic("lag"), unique_topic("dlq")
    await ensure_topics(kafka_config, [topic, dlq])
    await produce(kafka_config, topic, 12)
    await produce(kafka_config, dlq, 2)
    group, redrive = f"g-{uuid.uuid4().hex[:6]}", f"r-{uuid.uuid4().hex[:6]}"
    await commit_all_but(kafka_config, topic, group, left=5)

    metrics = Metrics()
    lag = KafkaLagMetrics(kafka_config, [GroupWatch(group, [topic])], GroupWatch(redrive, [dlq]))
    metrics.add_refreshed_collector("lag", lag, lag.refresh)
    await metrics.refresh()
    sample = metrics.registry.get_sample_value
    assert sample("kafka_consumer_lag", {"group": group, "topic": topic}) == 5
    assert sample("kafka_dead_letter_queue_records", {"topic": dlq}) == 2  # none redriven

    await commit_all_but(kafka_config, dlq, redrive, left=0)  # what `redrive` commits
    await metrics.refresh()
    assert sample("kafka_dead_letter_queue_records", {"topic": dlq}) == 0


async def test_outbox_backlog_counts_pending_rows_and_the_oldest_age(database_factory) -> None:
    engine, sessions = await prepared_database(await database_factory("backlog"))
    now = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)
    rows = [
        (now - timedelta(minutes=10), None),
        (now - timedelta(minutes=2), None),
        (now - timedelta(hours=5), now - timedelta(hours=4)),  # published: not counted
    ]
    async with sessions() as session, session.begin():
        await session.execute(
            insert(tables.outbox),
            [
                {
                    "event_id": f"e{n}",
                    "topic": "t",
                    "key": "k",
                    "bucket": 0,
                    "event_type": "x",
                    "headers": [],
                    "value": b"{}",
                    "created_at": created,
                    "published_at": published,
                }
                for n, (created, published) in enumerate(rows)
            ],
        )
    metrics = Metrics()
    backlog = OutboxBacklogMetrics(sessions, tables, clock=lambda: now)
    metrics.add_refreshed_collector("backlog", backlog, backlog.refresh)
    await metrics.refresh()
    assert metrics.registry.get_sample_value("outbox_pending") == 2
    assert metrics.registry.get_sample_value("outbox_oldest_pending_age_seconds") == 600
    await engine.dispose()


async def test_dependency_monitor_sets_the_gauge_and_logs_changes_once() -> None:
    answers = iter([None, OSError("refused"), OSError("refused"), None])

    async def broker() -> None:
        outcome = next(answers)
        if outcome is not None:
            raise outcome

    async def redis() -> None:
        await asyncio.sleep(0)

    metrics = Metrics()
    monitor = DependencyMonitor({"broker": broker, "redis": redis}, metrics)
    saved = structlog.get_config()  # an earlier test may have left a higher level configured
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        with structlog.testing.capture_logs() as logged:
            states = [(await monitor.check_once())["broker"] for _ in range(4)]
    finally:
        structlog.configure(**saved)
    assert states == [True, False, False, True]
    up = metrics.registry.get_sample_value("dependency_up", {"dependency": "broker"})
    assert up == 1
    assert metrics.registry.get_sample_value("dependency_up", {"dependency": "redis"}) == 1
    # Only the monitor's own lines: other tasks of the test process may log meanwhile.
    events = [
        (entry["event"], entry.get("dependency"))
        for entry in logged
        if str(entry["event"]).startswith("dependency.")
    ]
    assert events == [("dependency.down", "broker"), ("dependency.up", "broker")]
