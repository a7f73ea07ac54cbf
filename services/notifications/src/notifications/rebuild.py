"""Rebuild the read model by replaying both topics from the start.

The read-model tables are emptied and every event is applied again in one transaction, so
readers see the old model until the new one is complete. Messages are not queued again (they
were queued when the events first arrived), and the consumer's inbox and offsets are left
alone: an event the consumer applies meanwhile waits for the lock and is applied on top, which
is harmless because every event carries its aggregate's full state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notifications.models import READ_MODEL_TABLES
from notifications.readmodel import apply_to_read_model
from samspill.events import booking, facilities
from samspill.events.base import Envelope, TopicContract, UndecodableEvent
from samspill.kafka import KafkaConfig, new_consumer, start_client, stop_client

log = structlog.get_logger("notifications.rebuild")

CONTRACTS: tuple[TopicContract, ...] = (facilities.contract, booking.contract)


async def read_topic(kafka: KafkaConfig, contract: TopicContract) -> list[Envelope]:
    """Every decodable event on the topic, in partition order, up to its current end."""
    consumer = new_consumer(kafka, group_id=None)
    await start_client(consumer, kafka.request_timeout_s)
    try:
        partitions = await _partitions(consumer, contract.topic, kafka.request_timeout_s)
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await asyncio.wait_for(consumer.end_offsets(partitions), kafka.request_timeout_s)
        return await _read_until(consumer, contract, ends, kafka.request_timeout_s)
    finally:
        await stop_client(consumer, kafka.request_timeout_s)


async def _partitions(
    consumer: AIOKafkaConsumer, topic: str, timeout: float
) -> list[TopicPartition]:
    topics = await asyncio.wait_for(consumer.topics(), timeout)
    if topic not in topics:
        return []
    numbers = consumer.partitions_for_topic(topic) or set()
    return [TopicPartition(topic, number) for number in sorted(numbers)]


async def _read_until(
    consumer: AIOKafkaConsumer,
    contract: TopicContract,
    ends: dict[TopicPartition, int],
    timeout: float,
) -> list[Envelope]:
    envelopes: list[Envelope] = []
    pending = {tp for tp, end in ends.items() if end > 0}
    while pending:
        batches = await asyncio.wait_for(consumer.getmany(timeout_ms=500), timeout + 5)
        for tp, records in batches.items():
            for record in records:
                if record.offset >= ends[tp]:
                    continue
                try:
                    envelopes.append(contract.decode(record.headers, record.value))
                except UndecodableEvent:
                    log.warning("rebuild.undecodable_skipped", topic=tp.topic, offset=record.offset)
        for tp in list(pending):
            if await consumer.position(tp) >= ends[tp]:
                pending.discard(tp)
    return envelopes


async def replay(sessions: async_sessionmaker[AsyncSession], envelopes: Sequence[Envelope]) -> None:
    names = ", ".join(str(table.__tablename__) for table in READ_MODEL_TABLES)
    async with sessions() as session, session.begin():
        await session.execute(text(f"TRUNCATE {names}"))
        for envelope in envelopes:
            await apply_to_read_model(session, envelope)


async def rebuild_read_model(sessions: async_sessionmaker[AsyncSession], kafka: KafkaConfig) -> int:
    """Replay both topics into an emptied read model; returns the number of events applied."""
    envelopes: list[Envelope] = []
    for contract in CONTRACTS:
        envelopes.extend(await read_topic(kafka, contract))
    await replay(sessions, envelopes)
    log.info("rebuild.done", events=len(envelopes))
    return len(envelopes)
