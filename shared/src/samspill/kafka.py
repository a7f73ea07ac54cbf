"""Kafka clients with every call bounded by a timeout.

aiokafka can hang in `send_and_wait`, `start` or `stop` while the broker is unreachable, so
nothing here awaits aiokafka without `asyncio.wait_for`. The producer uses `acks="all"` without
idempotence (the embedded broker does not support it); consumers are idempotent instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = structlog.get_logger("samspill.kafka")

DAY_MS = 24 * 3600 * 1000

# A state topic (`TopicContract.state_topic`) keeps the latest state of every aggregate for ever:
# compacted, never deleted by age. A superseded state (also the one an erasure replaced) is
# compacted away within `max.compaction.lag.ms`, and a tombstone is dropped a day after the
# cleaner reached it, long enough for a rebuild that read the key's earlier state to read the
# tombstone too. No minimum lag: nothing reads superseded states. The deployments declare the
# same (deploy/k8s/base/kafka/topics.yaml, deploy/compose/create-topics.sh).
STATE_TOPIC_CONFIG: dict[str, str] = {
    "cleanup.policy": "compact",
    "retention.ms": "-1",
    "min.compaction.lag.ms": "0",
    "max.compaction.lag.ms": str(7 * DAY_MS),
    "delete.retention.ms": str(DAY_MS),
}


@dataclass(frozen=True)
class KafkaConfig:
    bootstrap_servers: str
    request_timeout_s: float = 10.0
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    partitions: int = 12


def new_producer(config: KafkaConfig) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=config.bootstrap_servers,
        acks="all",
        enable_idempotence=False,
        linger_ms=2,
        request_timeout_ms=int(config.request_timeout_s * 1000),
        retry_backoff_ms=100,
    )


def new_consumer(config: KafkaConfig, *topics: str, group_id: str | None) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=config.bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=config.session_timeout_ms,
        heartbeat_interval_ms=config.heartbeat_interval_ms,
        request_timeout_ms=max(
            int(config.request_timeout_s * 1000), config.session_timeout_ms + 5000
        ),
        metadata_max_age_ms=5_000,
        max_poll_records=200,
        fetch_max_wait_ms=100,  # an idle fetch returns sooner: lower event lag
    )


async def start_client(client: AIOKafkaProducer | AIOKafkaConsumer, timeout: float) -> None:
    """Start a client, or stop it again and raise when the broker does not answer in time."""
    try:
        await asyncio.wait_for(client.start(), timeout)
    except BaseException:
        await stop_client(client, timeout)
        raise


async def stop_client(client: Any, timeout: float) -> None:
    try:
        await asyncio.wait_for(client.stop(), timeout)
    except (Exception, asyncio.CancelledError):
        if isinstance(client, AIOKafkaProducer):
            await _abort_producer(client)


async def _abort_producer(producer: AIOKafkaProducer) -> None:
    """A producer whose flush timed out must not deliver its buffer later, behind the relay's
    back (the rows are still unpublished and will be sent again). aiokafka has no abort, so
    cancel its sender task, which fails the buffered batches, and close its connections."""
    sender = getattr(producer, "_sender", None)
    with contextlib.suppress(Exception, asyncio.CancelledError):
        if sender is not None:
            await asyncio.wait_for(sender.close(), 1.0)
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await asyncio.wait_for(producer.client.close(), 1.0)


async def ensure_topics(
    config: KafkaConfig, topics: Iterable[str], *, state_topics: Iterable[str] = ()
) -> None:
    """Create missing topics (in production they are declared by the platform too); those in
    `state_topics` (and `topics`) compacted, with `STATE_TOPIC_CONFIG`."""
    compacted = set(state_topics)
    topics = [*topics, *(topic for topic in sorted(compacted) if topic not in set(topics))]
    admin = AIOKafkaAdminClient(
        bootstrap_servers=config.bootstrap_servers,
        request_timeout_ms=int(config.request_timeout_s * 1000),
    )
    await asyncio.wait_for(admin.start(), config.request_timeout_s)
    try:
        existing = set(await asyncio.wait_for(admin.list_topics(), config.request_timeout_s))
        missing = [t for t in topics if t not in existing]
        if missing:
            new = [
                NewTopic(
                    t,
                    num_partitions=config.partitions,
                    replication_factor=1,
                    topic_configs=STATE_TOPIC_CONFIG if t in compacted else {},
                )
                for t in missing
            ]
            with contextlib.suppress(TopicAlreadyExistsError):
                await asyncio.wait_for(admin.create_topics(new), config.request_timeout_s)
            log.info("kafka.topics_created", topics=missing)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(admin.close(), config.request_timeout_s)


async def broker_answers(config: KafkaConfig, timeout: float = 2.0) -> None:
    """Readiness probe: raise unless the broker answers a metadata request in time."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=config.bootstrap_servers, request_timeout_ms=int(timeout * 1000)
    )
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.list_topics(), timeout)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(admin.close(), timeout)
