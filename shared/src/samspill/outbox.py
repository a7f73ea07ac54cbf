"""The transactional outbox: events are rows first, Kafka records after commit.

`write_event` inserts through the caller's session and never commits. `OutboxRelay` claims
pending rows bucket by bucket (`pg_try_advisory_xact_lock` + `FOR UPDATE SKIP LOCKED`), sends
them in id order, and marks them published in the same transaction. When Kafka is down the rows
wait and the relay backs off; nothing is lost, at worst a record is sent twice, which the
consumers' inbox absorbs.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from samspill.events.base import Envelope, EventData
from samspill.kafka import KafkaConfig, new_producer, start_client, stop_client
from samspill.messaging import OUTBOX_BUCKETS, MessagingTables
from samspill.observability import get_traceparent

log = structlog.get_logger("samspill.outbox")

# Advisory-lock namespace for outbox buckets (an arbitrary constant, stable across releases).
_LOCK_NAMESPACE = 7_331


def bucket_of(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=2).digest()) % OUTBOX_BUCKETS


async def write_event(
    session: AsyncSession,
    tables: MessagingTables,
    event: EventData,
    *,
    key: str,
    subject: str | None = None,
    source: str,
) -> Envelope:
    """Add an outbox row for `event` to the session's transaction. Never commits."""
    if not event.topic:
        raise ValueError(f"{type(event).__name__} belongs to no topic contract")
    envelope = Envelope(
        data=event, source=source, subject=subject or key, traceparent=get_traceparent()
    )
    await session.execute(
        insert(tables.outbox).values(
            event_id=envelope.id,
            topic=event.topic,
            key=key,
            bucket=bucket_of(key),
            event_type=envelope.type,
            headers=[[name, raw.decode()] for name, raw in envelope.headers()],
            value=envelope.value(),
        )
    )
    return envelope


class OutboxRelay:
    """Publishes committed outbox rows to Kafka, in order per key."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        kafka: KafkaConfig,
        *,
        batch_size: int = 100,
        poll_interval_s: float = 0.2,
        max_backoff_s: float = 5.0,
    ) -> None:
        self._sessions = sessions
        self._outbox = tables.outbox
        self._kafka = kafka
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._max_backoff_s = max_backoff_s
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self.published = 0

    def wake(self) -> None:
        """Ask the relay to look for rows now instead of at its next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self._poll_interval_s
        try:
            while not stop.is_set():
                try:
                    sent = await self.publish_pending()
                    backoff = self._poll_interval_s
                    if sent:
                        continue
                except Exception as exc:
                    log.warning("outbox.relay_failed", error=repr(exc), retry_in_s=backoff)
                    await self._drop_producer()
                    backoff = min(backoff * 2, self._max_backoff_s)
                await self._sleep(stop, backoff)
        finally:
            await self._drop_producer()

    async def publish_pending(self) -> int:
        """One pass over the buckets with pending rows; returns how many records were sent."""
        total = 0
        buckets = await self._pending_buckets()
        random.shuffle(buckets)  # replicas start on different buckets
        for bucket in buckets:
            total += await self._publish_bucket(bucket)
        self.published += total
        return total

    async def _pending_buckets(self) -> list[int]:
        """Cheap on an idle outbox: the partial index holds only unpublished rows."""
        async with self._sessions() as session:
            result = await session.execute(
                select(self._outbox.c.bucket)
                .where(self._outbox.c.published_at.is_(None))
                .distinct()
            )
            return [int(bucket) for bucket in result.scalars()]

    async def _publish_bucket(self, bucket: int) -> int:
        async with self._sessions() as session, session.begin():
            locked = await session.scalar(
                select(func.pg_try_advisory_xact_lock(_LOCK_NAMESPACE, bucket))
            )
            if not locked:
                return 0
            rows = (
                await session.execute(
                    select(self._outbox)
                    .where(self._outbox.c.published_at.is_(None), self._outbox.c.bucket == bucket)
                    .order_by(self._outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            sent_ids, error = await self._send(rows)
            if sent_ids:
                await session.execute(
                    update(self._outbox)
                    .where(self._outbox.c.id.in_(sent_ids))
                    .values(published_at=datetime.now(UTC))
                )
            if error is not None:
                unsent = next(row for row in rows if row.id not in set(sent_ids))
                await self._record_failure(session, unsent, error)
        if error is not None:
            raise error
        return len(sent_ids)

    async def _send(self, rows: Sequence[Row[Any]]) -> tuple[list[int], Exception | None]:
        """Send rows in order; the ids the broker acknowledged, and the failure if any.

        All acknowledgements are awaited together (bounded), so a slow but successful send is
        marked published instead of being sent again. Records of one partition are delivered
        in order by the producer, so an acknowledged record never overtakes a failed one of
        the same key."""
        producer = await self._ensure_producer()
        timeout = self._kafka.request_timeout_s
        futures = []
        try:
            for row in rows:
                headers = [(name, value.encode()) for name, value in row.headers]
                futures.append(
                    await asyncio.wait_for(
                        producer.send(
                            row.topic, value=row.value, key=row.key.encode(), headers=headers
                        ),
                        timeout,
                    )
                )
        except Exception as exc:
            return await self._settled(rows, futures, timeout), exc
        sent = await self._settled(rows, futures, timeout)
        failure = None if len(sent) == len(rows) else RuntimeError("a record was not acknowledged")
        return sent, failure

    @staticmethod
    async def _settled(rows: Sequence[Row[Any]], futures: list[Any], timeout: float) -> list[int]:
        if futures:
            await asyncio.wait(futures, timeout=timeout)
        return [
            row.id
            for row, future in zip(rows, futures, strict=False)
            if future.done() and not future.cancelled() and future.exception() is None
        ]

    async def _record_failure(self, session: AsyncSession, row: Row[Any], error: Exception) -> None:
        await session.execute(
            update(self._outbox)
            .where(self._outbox.c.id == row.id)
            .values(attempts=self._outbox.c.attempts + 1, last_error=repr(error)[:2000])
        )

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = new_producer(self._kafka)
            await start_client(producer, self._kafka.request_timeout_s)
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await stop_client(producer, self._kafka.request_timeout_s)

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            self._wake.clear()


async def pending_count(session: AsyncSession, tables: MessagingTables) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(tables.outbox)
        .where(tables.outbox.c.published_at.is_(None))
    )
    return int(result.scalar_one())


async def purge_published(
    session: AsyncSession, tables: MessagingTables, older_than_days: int
) -> int:
    outbox = tables.outbox
    cutoff = func.now() - func.make_interval(0, 0, 0, older_than_days)
    result = await session.execute(delete(outbox).where(outbox.c.published_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
