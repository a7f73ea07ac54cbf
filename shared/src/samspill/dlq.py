"""Operator tools for dead letters: the consumers' topics `samspill.dlq.<service>`, and the
outbox's `outbox_dead_letter` table of records the relay could not produce."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import MetaData, RowMapping, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from samspill.events.base import as_mapping, dlq_topic
from samspill.kafka import KafkaConfig, new_producer, start_client, stop_client
from samspill.messaging import MessagingTables, messaging_tables
from samspill.replay import Record, TopicReader

# The outbox tables are the same in every service's database.
OUTBOX_TABLES: MessagingTables = messaging_tables(MetaData())

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


def redrive_group(service: str) -> str:
    """The consumer group whose committed offsets mark what `redrive` has sent back."""
    return f"samspill-dlq-redrive-{service}"


async def list_dead_letters(kafka: KafkaConfig, service: str, limit: int = 50) -> list[DeadLetter]:
    async with TopicReader(kafka, dlq_topic(service)) as reader:
        return [DeadLetter.of(record) for record in await reader.read_to_end(limit)]


async def redrive(kafka: KafkaConfig, service: str) -> int:
    """Send each dead letter not yet redriven back to its original topic; return the count."""
    group = redrive_group(service)
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


# --- the outbox's dead letters ----------------------------------------------------------


@dataclass(frozen=True)
class OutboxDeadLetter:
    id: int
    event_id: str
    event_type: str
    topic: str
    key: str
    size: int
    attempts: int
    error: str
    dead_lettered_at: datetime
    # Rows of the same key written after it that the outbox still holds (published or pending;
    # the purge of old published rows makes this a lower bound).
    later_events: int

    @classmethod
    def of(cls, m: RowMapping) -> OutboxDeadLetter:
        return cls(
            int(m["id"]),
            str(m["event_id"]),
            str(m["event_type"]),
            str(m["topic"]),
            str(m["key"]),
            int(m["size"]),
            int(m["attempts"]),
            str(m["error"]),
            m["dead_lettered_at"],
            int(m["later_events"]),
        )

    def describe(self) -> str:
        return (
            f"#{self.id} {self.event_type} id={self.event_id} key={self.key} topic={self.topic} "
            f"{self.size} bytes, {self.attempts} attempt(s), dead-lettered "
            f"{self.dead_lettered_at.isoformat()}, {self.later_events} later event(s) of this "
            f"key: {self.error}"
        )


async def list_outbox_dead_letters(
    sessions: async_sessionmaker[AsyncSession],
    tables: MessagingTables = OUTBOX_TABLES,
    limit: int = 50,
) -> list[OutboxDeadLetter]:
    """The oldest dead letters first, each with how many later events its key has since had."""
    letters, outbox = tables.dead_letters, tables.outbox
    later = (
        select(func.count())
        .where(outbox.c.key == letters.c.key, outbox.c.id > letters.c.outbox_id)
        .scalar_subquery()
    )
    async with sessions() as session:
        result = await session.execute(
            select(
                letters.c.id,
                letters.c.event_id,
                letters.c.event_type,
                letters.c.topic,
                letters.c.key,
                func.octet_length(letters.c.value).label("size"),
                letters.c.attempts,
                letters.c.error,
                letters.c.dead_lettered_at,
                later.label("later_events"),
            )
            .order_by(letters.c.id)
            .limit(limit)
        )
        return [OutboxDeadLetter.of(row) for row in result.mappings()]


async def redrive_outbox_dead_letters(
    sessions: async_sessionmaker[AsyncSession],
    ids: Sequence[int] | None,
    tables: MessagingTables = OUTBOX_TABLES,
) -> list[int]:
    """Move dead letters (all when `ids` is None) back into the outbox as new rows, in their
    original order; the relay publishes them after anything already written. The ids moved."""
    letters, outbox = tables.dead_letters, tables.outbox
    claim = select(letters.c.id).order_by(letters.c.outbox_id).with_for_update(skip_locked=True)
    if ids is not None:
        claim = claim.where(letters.c.id.in_(list(ids)))
    copied = ("event_id", "topic", "key", "bucket", "event_type", "headers", "value")
    async with sessions() as session, session.begin():
        moved = [int(i) for i in (await session.execute(claim)).scalars()]
        if not moved:
            return []
        await session.execute(
            insert(outbox).from_select(
                list(copied),
                select(*(letters.c[name] for name in copied))
                .where(letters.c.id.in_(moved))
                .order_by(letters.c.outbox_id),
            )
        )
        await session.execute(delete(letters).where(letters.c.id.in_(moved)))
    return sorted(moved)


async def discard_outbox_dead_letters(
    sessions: async_sessionmaker[AsyncSession],
    ids: Sequence[int],
    tables: MessagingTables = OUTBOX_TABLES,
) -> dict[int, str]:
    """Delete dead letters that will never be produced (e.g. over the broker's limit, once a
    newer event carries their aggregate's state); `id → "event type id=event id"` deleted."""
    letters = tables.dead_letters
    async with sessions() as session, session.begin():
        result = await session.execute(
            delete(letters)
            .where(letters.c.id.in_(list(ids)))
            .returning(letters.c.id, letters.c.event_type, letters.c.event_id)
        )
        return {int(i): f"{kind} id={event_id}" for i, kind, event_id in result.all()}
