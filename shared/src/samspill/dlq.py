"""Operator tools for the dead-letter topics `samspill.dlq.<service>`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from samspill.events.base import as_mapping, dlq_topic
from samspill.kafka import KafkaConfig, new_consumer, new_producer, start_client, stop_client

_DLQ_HEADERS = ("dlq_error", "dlq_consumer", "dlq_topic", "dlq_partition", "dlq_offset")


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    headers: dict[str, str]
    value: bytes | None
    key: bytes | None

    def describe(self) -> str:
        h = self.headers
        return (
            f"{self.partition}:{self.offset} {h.get('ce_type', '?')} id={h.get('ce_id', '?')} "
            f"from {h.get('dlq_topic', '?')}@{h.get('dlq_partition', '?')}"
            f":{h.get('dlq_offset', '?')}"
            f" consumer={h.get('dlq_consumer', '?')} error={h.get('dlq_error', '?')}"
        )


async def _read_to_end(consumer: AIOKafkaConsumer, limit: int | None = None) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    partitions = list(consumer.assignment())
    ends = await consumer.end_offsets(partitions)
    while await _behind(consumer, ends):
        batches = await consumer.getmany(timeout_ms=500)
        for records in batches.values():
            found.extend(_dead_letter(record) for record in records)
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


def _dead_letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        record.partition, record.offset, dict(as_mapping(record.headers)), record.value, record.key
    )


async def _assigned(kafka: KafkaConfig, topic: str, group_id: str | None) -> AIOKafkaConsumer:
    consumer = new_consumer(kafka, group_id=group_id)
    await start_client(consumer, kafka.request_timeout_s)
    partitions = await asyncio.wait_for(
        consumer._client.fetch_all_metadata(),
        kafka.request_timeout_s,
    )
    tps = [TopicPartition(topic, p) for p in partitions.partitions_for_topic(topic) or ()]
    consumer.assign(tps)
    if group_id is None:
        await consumer.seek_to_beginning(*tps)
    else:
        committed = {tp: await consumer.committed(tp) for tp in tps}
        for tp, offset in committed.items():
            if offset is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, offset)
    return consumer


async def list_dead_letters(kafka: KafkaConfig, service: str, limit: int = 50) -> list[DeadLetter]:
    consumer = await _assigned(kafka, dlq_topic(service), None)
    try:
        return await _read_to_end(consumer, limit)
    finally:
        await stop_client(consumer, kafka.request_timeout_s)


async def redrive(kafka: KafkaConfig, service: str) -> int:
    """Send each dead letter not yet redriven back to its original topic; return the count."""
    consumer = await _assigned(kafka, dlq_topic(service), f"samspill-dlq-redrive-{service}")
    producer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        letters = await _read_to_end(consumer)
        for letter in letters:
            headers = [(k, v.encode()) for k, v in letter.headers.items() if k not in _DLQ_HEADERS]
            await asyncio.wait_for(
                producer.send_and_wait(
                    letter.headers["dlq_topic"], letter.value, key=letter.key, headers=headers
                ),
                kafka.request_timeout_s,
            )
        if letters:
            await consumer.commit()
        return len(letters)
    finally:
        await stop_client(producer, kafka.request_timeout_s)
        await stop_client(consumer, kafka.request_timeout_s)
