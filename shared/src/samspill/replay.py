"""Reading a topic to its end: read-model rebuilds and dead-letter tools.

`TopicReader` assigns every partition of one topic, starts at the beginning (or, with a group,
at the group's committed offsets) and reads up to the end offsets taken when it opened, so a
replay terminates even while producers keep writing. Every broker call is bounded.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self, TypeAlias

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from samspill.events.base import Envelope, TopicContract, UndecodableEvent
from samspill.kafka import KafkaConfig, new_consumer, start_client, stop_client

log = structlog.get_logger("samspill.replay")

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class TopicReader:
    def __init__(self, kafka: KafkaConfig, topic: str, *, group_id: str | None = None) -> None:
        self._kafka = kafka
        self._topic = topic
        self._group_id = group_id
        self._consumer: AIOKafkaConsumer | None = None
        self._ends: dict[TopicPartition, int] = {}

    async def __aenter__(self) -> Self:
        timeout = self._kafka.request_timeout_s
        consumer = new_consumer(self._kafka, group_id=self._group_id)
        await start_client(consumer, timeout)
        self._consumer = consumer
        try:
            await asyncio.wait_for(consumer.topics(), timeout)  # fetches cluster metadata
            partitions = [
                TopicPartition(self._topic, number)
                for number in sorted(consumer.partitions_for_topic(self._topic) or ())
            ]
            if partitions:
                consumer.assign(partitions)
                await self._seek_start(consumer, partitions)
                self._ends = await asyncio.wait_for(consumer.end_offsets(partitions), timeout)
        except BaseException:
            await stop_client(consumer, timeout)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._consumer is not None:
            await stop_client(self._consumer, self._kafka.request_timeout_s)

    async def _seek_start(
        self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]
    ) -> None:
        timeout = self._kafka.request_timeout_s
        if self._group_id is None:
            await asyncio.wait_for(consumer.seek_to_beginning(*partitions), timeout)
            return
        for tp in partitions:
            committed = await asyncio.wait_for(consumer.committed(tp), timeout)
            if committed is None:
                await asyncio.wait_for(consumer.seek_to_beginning(tp), timeout)
            else:
                consumer.seek(tp, committed)

    async def read_to_end(self, limit: int | None = None) -> list[Record]:
        """The records up to the end offsets taken at open (at most `limit`)."""
        consumer, timeout = self._opened(), self._kafka.request_timeout_s
        records: list[Record] = []
        pending = {tp for tp, end in self._ends.items() if end > 0}
        pending = {tp for tp in pending if await self._position(tp) < self._ends[tp]}
        while pending and (limit is None or len(records) < limit):
            batches = await asyncio.wait_for(consumer.getmany(timeout_ms=500), timeout + 5)
            for tp, batch in batches.items():
                records.extend(r for r in batch if r.offset < self._ends[tp])
            pending = {tp for tp in pending if await self._position(tp) < self._ends[tp]}
        return records if limit is None else records[:limit]

    async def commit(self) -> None:
        """Commit the group's position (only with a `group_id`)."""
        await asyncio.wait_for(self._opened().commit(), self._kafka.request_timeout_s)

    async def _position(self, tp: TopicPartition) -> int:
        return int(
            await asyncio.wait_for(self._opened().position(tp), self._kafka.request_timeout_s)
        )

    def _opened(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("use `async with TopicReader(...)`")
        return self._consumer


async def read_events(kafka: KafkaConfig, contract: TopicContract) -> list[Envelope]:
    """Every decodable event on the contract's topic, from the start to today's end."""
    async with TopicReader(kafka, contract.topic) as reader:
        records = await reader.read_to_end()
    envelopes: list[Envelope] = []
    for record in records:
        try:
            envelopes.append(contract.decode(record.headers, record.value))
        except UndecodableEvent as exc:
            log.warning(
                "replay.undecodable_skipped",
                topic=record.topic,
                offset=record.offset,
                error=str(exc),
            )
    return envelopes
