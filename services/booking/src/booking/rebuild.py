"""Rebuild the facilities read model by replaying `samspill.facilities` from the start.

Reads without a consumer group, from the beginning to the end offsets taken at start, and
applies every event to emptied read-model tables in one transaction: readers see the old
model until the new one is complete. Only the read model is rebuilt; the cancellations the
events caused happened when they first arrived and are not repeated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncSession

from booking import readmodel
from booking.lending.handlers import clear_stock, save_stock
from samspill.db import create_engine, session_factory
from samspill.events import facilities
from samspill.events.base import EventData, UndecodableEvent
from samspill.kafka import KafkaConfig, new_consumer, start_client, stop_client
from samspill.settings import ServiceSettings

log = structlog.get_logger("booking.rebuild")

Applier = Callable[[AsyncSession, EventData], Awaitable[None]]
Clearer = Callable[[AsyncSession], Awaitable[None]]


async def read_topic(kafka: KafkaConfig, topic: str) -> list[EventData]:
    """Every decodable event of `topic`, partition by partition, up to today's end offsets."""
    consumer = new_consumer(kafka, group_id=None)
    await start_client(consumer, kafka.request_timeout_s)
    try:
        partitions = await _partitions(consumer, topic, kafka.request_timeout_s)
        if not partitions:
            return []
        consumer.assign(partitions)
        await asyncio.wait_for(consumer.seek_to_beginning(*partitions), kafka.request_timeout_s)
        ends = await asyncio.wait_for(consumer.end_offsets(partitions), kafka.request_timeout_s)
        return await _read_until(consumer, ends, kafka.request_timeout_s)
    finally:
        await stop_client(consumer, kafka.request_timeout_s)


async def _partitions(
    consumer: AIOKafkaConsumer, topic: str, timeout: float
) -> list[TopicPartition]:
    await asyncio.wait_for(consumer.topics(), timeout)  # fetches the cluster metadata
    numbers = consumer.partitions_for_topic(topic)
    return [TopicPartition(topic, number) for number in sorted(numbers or ())]


async def _read_until(
    consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int], timeout: float
) -> list[EventData]:
    events: list[EventData] = []
    pending = {tp for tp, end in ends.items() if end > 0}
    while pending:
        batches = await asyncio.wait_for(consumer.getmany(timeout_ms=500), timeout)
        for tp, records in batches.items():
            for record in records:
                if record.offset < ends[tp]:
                    events.extend(_decode(record.headers, record.value))
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return events


def _decode(headers: Sequence[tuple[str, bytes]] | None, value: bytes | None) -> list[EventData]:
    try:
        return [facilities.contract.decode(headers, value).data]
    except UndecodableEvent as exc:
        log.warning("rebuild.undecodable_event", error=str(exc))
        return []


async def rebuild(
    settings: ServiceSettings,
    *,
    clearers: Sequence[Clearer] = (readmodel.clear, clear_stock),
    appliers: Sequence[Applier] = (readmodel.apply_event, save_stock),
) -> int:
    """Replay the facilities topic into emptied read models (halls and equipment stock)."""
    kafka = KafkaConfig(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        request_timeout_s=settings.kafka_request_timeout_s,
    )
    events = await read_topic(kafka, facilities.TOPIC)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            for clear in clearers:
                await clear(session)
            for event in events:
                for apply in appliers:
                    await apply(session, event)
    finally:
        await engine.dispose()
    log.info("rebuild.done", events=len(events))
    return len(events)
