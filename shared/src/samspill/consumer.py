"""The consumer runner: at-least-once delivery turned into exactly-once effects.

For each record: decode the CloudEvent, then in one unit of work insert the inbox row
`(consumer, event_id)` (with the digest of a state event's compaction key, see
`samspill.replay.check_state_history`) and apply the handler (which writes rows and publishes
events through that unit of work, never committing); commit, which wakes the relay when the
handler published; only then commit the Kafka offset, once per batch of a partition (and at
once after a dead letter). A redelivered event meets its inbox row and is skipped. A consumer
that applies only some of a topic's event types names them, and the others are passed over by
their `ce_type` header, unread and without an inbox row. A handler that keeps failing is
retried with backoff and then sent to `samspill.dlq.<service>` with the error, and the
partition moves on. Infrastructure failures (database or broker unreachable) are retried
without limit: they are not the message's fault.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from samspill.db import UnitOfWork
from samspill.events.base import Envelope, EventData, TopicContract, UndecodableEvent, header
from samspill.kafka import KafkaConfig, new_consumer, new_producer, start_client, stop_client
from samspill.messaging import MessagingTables
from samspill.tracing import consume_span

log = structlog.get_logger("samspill.consumer")

Handler = Callable[[UnitOfWork, Envelope], Awaitable[None]]
"""Applies one event through the consumer's unit of work; must not commit (the runner does)."""

_TRANSIENT = (OperationalError, InterfaceError, ConnectionError, OSError, TimeoutError)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _TRANSIENT)


@dataclass(frozen=True)
class ConsumerSpec:
    """What one consumer group reads and how it applies it."""

    name: str  # consumer group id and inbox `consumer` value
    contracts: Sequence[TopicContract]
    handler: Handler
    dlq_topic: str
    # Runs after the transaction committed, e.g. to invalidate caches; failures are logged only.
    on_applied: Callable[[Envelope], Awaitable[None]] | None = None
    # The event types the handler applies; None: all of the contracts'.
    event_types: frozenset[type[EventData]] | None = None


class ConsumerRunner:
    def __init__(
        self,
        spec: ConsumerSpec,
        sessions: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        kafka: KafkaConfig,
        *,
        source: str = "/samspill",
        on_commit: Callable[[], None] | None = None,
        max_attempts: int = 5,
        retry_base_s: float = 0.2,
        max_backoff_s: float = 5.0,
    ) -> None:
        """`source` is the CloudEvents source of what handlers publish; `on_commit` wakes the
        service's relay after a transaction that published."""
        self.spec = spec
        self._sessions = sessions
        self._messaging = tables
        self._inbox = tables.inbox
        self._source = source
        self._on_commit = on_commit
        self._kafka = kafka
        self._max_attempts = max_attempts
        self._retry_base_s = retry_base_s
        self._max_backoff_s = max_backoff_s
        self._contracts = {contract.topic: contract for contract in spec.contracts}
        self._passed_over = _passed_over(spec)
        self.applied = 0
        self.dead_lettered = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; reconnects with backoff while the broker is away."""
        backoff = self._retry_base_s
        while not stop.is_set():
            try:
                await self._consume(stop)
                backoff = self._retry_base_s
            except Exception as exc:
                log.warning("consumer.connection_lost", consumer=self.spec.name, error=repr(exc))
                await _sleep_unless(stop, backoff)
                backoff = min(backoff * 2, self._max_backoff_s)

    async def _consume(self, stop: asyncio.Event) -> None:
        timeout = self._kafka.request_timeout_s
        consumer = new_consumer(self._kafka, *self._contracts, group_id=self.spec.name)
        producer = new_producer(self._kafka)
        await start_client(consumer, timeout)
        try:
            await start_client(producer, timeout)
            try:
                while not stop.is_set():
                    batches = await asyncio.wait_for(
                        consumer.getmany(timeout_ms=200, max_records=200), timeout + 5
                    )
                    for partition, records in batches.items():
                        await self._process_partition(consumer, producer, partition, records, stop)
            finally:
                await stop_client(producer, timeout)
        finally:
            await stop_client(consumer, timeout)

    async def _process_partition(
        self,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        partition: TopicPartition,
        records: Sequence[ConsumerRecord[bytes, bytes]],
        stop: asyncio.Event,
    ) -> None:
        """Settle the records in order, then commit the offset after the last one settled.
        A crash before that commit redelivers them, and the inbox skips those applied."""
        settled: int | None = None
        for record in records:
            # On stop, the records not yet settled are read again after the restart.
            if stop.is_set():
                break
            dead_letters = self.dead_lettered
            if not await self._process(producer, record, stop):
                break
            settled = record.offset + 1
            if self.dead_lettered != dead_letters:
                # A dead letter is not in the inbox: commit now, not to send it twice.
                await self._commit(consumer, partition, settled)
                settled = None
        if settled is not None:
            await self._commit(consumer, partition, settled)

    async def _commit(
        self, consumer: AIOKafkaConsumer, partition: TopicPartition, offset: int
    ) -> None:
        await asyncio.wait_for(consumer.commit({partition: offset}), self._kafka.request_timeout_s)

    async def _process(
        self, producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes], stop: asyncio.Event
    ) -> bool:
        """Apply, skip or dead-letter one record; False when stopped before it was settled."""
        if header(record.headers, "ce_type") in self._passed_over:
            return True
        try:
            envelope = self._contracts[record.topic].decode(record.headers, record.value)
        except UndecodableEvent as exc:
            await self._dead_letter(producer, record, exc)
            return True
        attempt = 0
        while True:
            try:
                if await self._apply(envelope, record.topic):
                    self.applied += 1
                    await self._after_commit(envelope)
                return True
            except Exception as exc:
                attempt += 1
                if not is_transient(exc) and attempt >= self._max_attempts:
                    await self._dead_letter(producer, record, exc)
                    return True
                delay = min(self._retry_base_s * 2 ** (attempt - 1), self._max_backoff_s)
                log.warning(
                    "consumer.retry",
                    consumer=self.spec.name,
                    event_type=envelope.type,
                    event_id=envelope.id,
                    attempt=attempt,
                    error=repr(exc),
                )
                if await _sleep_unless(stop, delay):
                    return False

    async def _after_commit(self, envelope: Envelope) -> None:
        if self.spec.on_applied is None:
            return
        try:
            await self.spec.on_applied(envelope)
        except Exception as exc:
            log.warning("consumer.after_commit_failed", consumer=self.spec.name, error=repr(exc))

    async def _apply(self, envelope: Envelope, topic: str) -> bool:
        """Inbox row and effect in one transaction; False when the event was applied before.

        In a span continuing the producer's trace: the handler's SQL and the events it
        publishes belong to the trace of the request that caused the event."""
        with consume_span(self.spec.name, topic, envelope.id, envelope.type, envelope.traceparent):
            async with self._unit_of_work() as uow:
                if not await self._record_in_inbox(uow.session, envelope, topic):
                    log.info(
                        "consumer.duplicate_skipped", consumer=self.spec.name, event_id=envelope.id
                    )
                    return False
                await self.spec.handler(uow, envelope)
                await uow.commit()
        return True

    async def _record_in_inbox(self, session: AsyncSession, envelope: Envelope, topic: str) -> bool:
        """Insert the inbox row; False when it was there (the event was applied before).

        A state event's row carries its key's digest; an event that ends its aggregate clears
        the digests of that key instead, since the state topic then holds only a tombstone."""
        entry = self._contracts[topic].state_entry(envelope.data)
        digest = entry.digest() if entry is not None else None
        inserted = await session.execute(
            pg_insert(self._inbox)
            .values(
                consumer=self.spec.name,
                event_id=envelope.id,
                event_type=envelope.type,
                state_key_digest=None if entry is None or entry.deletes else digest,
            )
            .on_conflict_do_nothing()
            .returning(self._inbox.c.event_id)
        )
        if inserted.first() is None:
            return False
        if entry is not None and entry.deletes:
            inbox = self._inbox
            await session.execute(
                update(inbox)
                .where(inbox.c.consumer == self.spec.name, inbox.c.state_key_digest == digest)
                .values(state_key_digest=None)
            )
        return True

    def _unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(
            self._sessions, self._messaging, source=self._source, on_commit=self._on_commit
        )

    async def _dead_letter(
        self, producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes], error: Exception
    ) -> None:
        headers = [
            *(record.headers or ()),
            ("dlq_error", repr(error)[:4000].encode()),
            ("dlq_consumer", self.spec.name.encode()),
            ("dlq_topic", record.topic.encode()),
            ("dlq_partition", str(record.partition).encode()),
            ("dlq_offset", str(record.offset).encode()),
        ]
        await asyncio.wait_for(
            producer.send_and_wait(
                self.spec.dlq_topic, value=record.value, key=record.key, headers=headers
            ),
            self._kafka.request_timeout_s,
        )
        self.dead_lettered += 1
        log.error(
            "consumer.dead_lettered",
            consumer=self.spec.name,
            topic=record.topic,
            offset=record.offset,
            error=repr(error),
        )


def _passed_over(spec: ConsumerSpec) -> frozenset[str]:
    """The `ce_type`s of the contracts' events that the consumer does not apply."""
    if spec.event_types is None:
        return frozenset()
    applied = {event.event_type() for event in spec.event_types}
    known = {name for contract in spec.contracts for name in contract.events}
    return frozenset(known - applied)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
        return True
    except TimeoutError:
        return False


async def run_all(runners: Sequence[Any], stop: asyncio.Event) -> None:
    """Run relays and consumers side by side until `stop` is set."""
    await asyncio.gather(*(runner.run(stop) for runner in runners))


__all__ = ["ConsumerRunner", "ConsumerSpec", "Handler", "KafkaError", "is_transient", "run_all"]
