"""Operator tools for the dead-letter topics `samspill.dlq.<service>`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from samspill.events.base import as_mapping, dlq_topic
from samspill.kafka import KafkaConfig, new_producer, start_client, stop_client
from samspill.replay import Record, TopicReader

_DLQ_HEADERS = ("dlq_error", "dlq_consumer", "dlq_topic", "dlq_partition", "dlq_offset")


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    headers: dict[str, str]
    value: bytes | None
    key: bytes | None

    @classmethod
    def of(cls, record: Record) -> DeadLetter:
        return cls(
            record.partition,
            record.offset,
            dict(as_mapping(record.headers)),
            record.value,
            record.key,
        )

    def describe(self) -> str:
        h = self.headers
        return (
            f"{self.partition}:{self.offset} {h.get('ce_type', '?')} id={h.get('ce_id', '?')} "
            f"from {h.get('dlq_topic', '?')}@{h.get('dlq_partition', '?')}"
            f":{h.get('dlq_offset', '?')} consumer={h.get('dlq_consumer', '?')} "
            f"error={h.get('dlq_error', '?')}"
        )


async def list_dead_letters(kafka: KafkaConfig, service: str, limit: int = 50) -> list[DeadLetter]:
    async with TopicReader(kafka, dlq_topic(service)) as reader:
        return [DeadLetter.of(record) for record in await reader.read_to_end(limit)]


async def redrive(kafka: KafkaConfig, service: str) -> int:
    """Send each dead letter not yet redriven back to its original topic; return the count."""
    group = f"samspill-dlq-redrive-{service}"
    async with TopicReader(kafka, dlq_topic(service), group_id=group) as reader:
        letters = [DeadLetter.of(record) for record in await reader.read_to_end()]
        if not letters:
            return 0
        producer = new_producer(kafka)
        await start_client(producer, kafka.request_timeout_s)
        try:
            for letter in letters:
                headers = [
                    (k, v.encode()) for k, v in letter.headers.items() if k not in _DLQ_HEADERS
                ]
                await asyncio.wait_for(
                    producer.send_and_wait(
                        letter.headers["dlq_topic"], letter.value, key=letter.key, headers=headers
                    ),
                    kafka.request_timeout_s,
                )
        finally:
            await stop_client(producer, kafka.request_timeout_s)
        await reader.commit()
        return len(letters)
