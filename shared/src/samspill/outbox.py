"""The transactional outbox: events are rows first, Kafka records after commit.

`write_event` inserts through the caller's session and never commits; only
`samspill.db.UnitOfWork.publish`, the one event writer, calls it. The CloudEvents `subject` is
the event's aggregate id; the Kafka key is the ordering key the caller gives. It refuses an event
larger than the session's limit (`outbox_session_info`, from `OUTBOX_MAX_EVENT_BYTES`) with
`EventTooLarge`, a 413 for the request that caused it, so its transaction stores nothing.

`OutboxRelay` claims pending rows in one statement per pass: the oldest rows of every bucket
whose `pg_try_advisory_xact_lock` it gets, `FOR UPDATE SKIP LOCKED`; it sends them in id order
and marks them published in the same transaction. A commit in the same process wakes it; it
polls for the others' commits. When Kafka is down the rows wait and the relay backs off without
limit; nothing is lost, at worst a record is sent twice, which the consumers' inbox absorbs.

A record Kafka will never take (too large, an invalid topic, headers that cannot be encoded) is
different: retrying it would hold back every later row of its bucket, that is every later event
of about one key in sixteen, forever. A row that failed before is therefore sent alone, so its
error is its own; once it has failed `max_attempts` times with such an error it moves to the
`outbox_dead_letter` table with its error, attempts and time, and the bucket flows on. Errors
that say nothing about the record (broker unreachable, timeouts, leader elections,
authorisation) never dead-letter anything: an outage must not scatter events.

State topics: a row whose topic has a state topic (`TopicContract.state_topic`) and whose event
is a state event (`EventData.state_key`) is produced twice, to the event topic under its
ordering key and to the state topic under its compaction key (a tombstone for an event that
ends its aggregate), and it counts as published only when the broker acknowledged both. The
state record goes to the partition the ordering key chooses (the producer's own hash over the
state topic's partitions), so one aggregate's states, which always share an ordering key, land
in one partition in outbox order, beside the other aggregates of that key (a booking and its
series' hand-over to a team), as on the event topic. Only the rows before the first one that
failed are marked published: a later row of the same key may have reached the broker before
the failed one is sent again, and sending it once more afterwards leaves the newest state the
last record of its key (its duplicate on the event topic is absorbed by the inbox).

Ordering: a dead-lettered record is skipped, and the events after it with the same key are
delivered without it, because the alternative is that the key never gets another event.
Redriving it (`samspill outbox dead-letters redrive`) puts it back into the outbox as a new
row, so it is published *after* the later events of its key. Booking and loan events carry a
version and the read models never let an older version overwrite a newer one; other events
carry their aggregate's full state, so a redriven one overwrites newer state. `list` shows how
many later events of the same key exist, so the operator can tell.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException,
    InvalidTimestampError,
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from aiokafka.partitioner import murmur2
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import (
    BigInteger,
    DateTime,
    Insert,
    Row,
    Select,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCLASS
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from samspill.errors import EventTooLarge
from samspill.events.base import Envelope, EventData, UndecodableEvent, contract_of
from samspill.kafka import KafkaConfig, new_producer, start_client, stop_client
from samspill.messaging import OUTBOX_BUCKETS, MessagingTables
from samspill.tracing import current_traceparent, sending_in_context_of

log = structlog.get_logger("samspill.outbox")

# Advisory-lock namespace for outbox buckets (an arbitrary constant, stable across releases).
_LOCK_NAMESPACE = 7_331

# Well below Kafka's default message.max.bytes (1 MiB) and the producer's max_request_size, so a
# record the writer accepts is one the broker takes.
DEFAULT_MAX_EVENT_BYTES = 256 * 1024
_MAX_EVENT_BYTES_INFO = "samspill.outbox.max_event_bytes"

DEAD_LETTERS_METRIC = "outbox_dead_letters"
DEAD_LETTERED_METRIC = "outbox_dead_lettered"  # exposed as outbox_dead_lettered_total

# Errors that belong to the record itself: sending it again gives the same answer.
_UNPRODUCIBLE = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    CorruptRecordException,
    InvalidTimestampError,
)


class UnencodableRecord(Exception):
    """An outbox row that cannot be turned into a Kafka record (e.g. malformed headers)."""


def is_unproducible(error: BaseException) -> bool:
    """True when Kafka refuses this record for what it is, not for the state of the cluster."""
    return isinstance(error, (*_UNPRODUCIBLE, UnencodableRecord))


def bucket_of(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=2).digest()) % OUTBOX_BUCKETS


def outbox_session_info(max_event_bytes: int) -> dict[str, object]:
    """`info` for a service's session factory: the event size limit `write_event` enforces."""
    return {_MAX_EVENT_BYTES_INFO: max_event_bytes}


def record_size(key: bytes, value: bytes, headers: Sequence[tuple[str, bytes]]) -> int:
    """The bytes a record carries (its key, value and headers); the batch framing is extra."""
    return len(key) + len(value) + sum(len(name.encode()) + len(raw) for name, raw in headers)


async def write_event(
    session: AsyncSession,
    tables: MessagingTables,
    event: EventData,
    *,
    key: str,
    source: str,
    republished: bool = False,
) -> Envelope:
    """Add an outbox row for `event` to the session's transaction. Never commits.

    `republished` marks a state published again unchanged (see `Envelope.republished`).

    Raises `EventTooLarge` when the record would exceed the session's event size limit."""
    if not event.topic:
        raise ValueError(f"{type(event).__name__} belongs to no topic contract")
    envelope = Envelope(
        data=event,
        source=source,
        subject=event.aggregate_id(),
        traceparent=current_traceparent(),
        republished=republished,
    )
    headers = envelope.headers()
    value = envelope.value()
    size = record_size(key.encode(), value, headers)
    limit = int(session.info.get(_MAX_EVENT_BYTES_INFO, DEFAULT_MAX_EVENT_BYTES))
    if size > limit:
        raise EventTooLarge(envelope.type, size, limit)
    await session.execute(
        _insert_of(tables.outbox),
        {
            "event_id": envelope.id,
            "topic": event.topic,
            "key": key,
            "bucket": bucket_of(key),
            "event_type": envelope.type,
            "headers": [[name, raw.decode()] for name, raw in headers],
            "value": value,
        },
    )
    return envelope


@functools.cache
def _insert_of(outbox: Table) -> Insert:
    """The outbox insert, built once per table and run with each row's values (`inline`: the
    new id is not read back)."""
    return insert(outbox).inline()


def _mentions(table: Any, needles: Sequence[str]) -> Any:
    """A row whose key, headers or value holds any of `needles` (ignoring case)."""
    text_of_value = func.lower(func.convert_from(table.c.value, "UTF8"))
    text_of_headers = func.lower(cast(table.c.headers, Text))
    return or_(
        table.c.key.in_(needles),
        *(func.strpos(text_of_value, needle.lower()) > 0 for needle in needles),
        *(func.strpos(text_of_headers, needle.lower()) > 0 for needle in needles),
    )


async def forget_published(
    session: AsyncSession, tables: MessagingTables, needles: Iterable[str | None]
) -> int:
    """Delete the outbox rows already published, and the dead letters, that carry any of
    `needles` (an erased person's id, email address, phone number, name) in their key,
    headers or value; in the caller's transaction, never commits. How many rows went.

    A published row is only the record of what was sent; a dead letter will never be sent.
    Rows not yet published are left alone: they still have to reach the other services (the
    relay sends them within seconds) and go with the outbox purge after `OUTBOX_RETENTION_DAYS`.
    """
    wanted = sorted({needle.strip() for needle in needles if needle and len(needle.strip()) >= 3})
    if not wanted:
        return 0
    outbox, dead = tables.outbox, tables.dead_letters
    published = await session.execute(
        delete(outbox).where(outbox.c.published_at.is_not(None), _mentions(outbox, wanted))
    )
    dead_letters = await session.execute(delete(dead).where(_mentions(dead, wanted)))
    return int(published.rowcount or 0) + int(dead_letters.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Failure:
    row: Row[Any]
    error: Exception


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
        max_attempts: int = 3,
    ) -> None:
        self._sessions = sessions
        self._outbox = tables.outbox
        self._dead_letters = tables.dead_letters
        self._kafka = kafka
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._max_backoff_s = max_backoff_s
        self._max_attempts = max_attempts
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self._claim_rows = _claim_statement(tables.outbox, batch_size)
        self._mark_published = (
            update(tables.outbox)
            .where(tables.outbox.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger()))))
            .values(published_at=bindparam("at", type_=DateTime(timezone=True)))
        )
        self.published = 0
        self.dead_lettered = 0

    def wake(self) -> None:
        """Ask the relay to look for rows now instead of at its next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self._poll_interval_s
        try:
            while not stop.is_set():
                try:
                    self._wake.clear()  # a commit from now on asks for another pass
                    moved = await self.publish_pending()
                    backoff = self._poll_interval_s
                    if moved >= self._batch_size:
                        continue  # a full batch: more may be waiting
                except Exception as exc:
                    log.warning("outbox.relay_failed", error=repr(exc), retry_in_s=backoff)
                    await self._drop_producer()
                    backoff = min(backoff * 2, self._max_backoff_s)
                await self._sleep(stop, backoff)
        finally:
            await self._drop_producer()

    async def publish_pending(self) -> int:
        """One pass, in one transaction: claim a batch of pending rows from every bucket whose
        lock this relay gets, send them, mark them published. Returns how many rows left the
        pending set (published, or moved to the dead letters); raises the first failure that
        was not dead-lettered, after committing what was sent."""
        async with self._sessions() as session, session.begin():
            rows = await self._claim(session)
            if not rows:
                return 0
            fresh, retried = _split_retried(rows)
            moved, errors = 0, []
            if fresh:
                done, error = await self._publish(session, fresh, alone=len(fresh) == 1)
                moved += done
                errors += [error] if error is not None else []
            for row in retried:  # sent alone, a failure is this row's and not a neighbour's
                done, error = await self._publish(session, [row], alone=True)
                moved += done
                errors += [error] if error is not None else []
        if errors:
            raise errors[0]
        return moved

    async def _publish(
        self, session: AsyncSession, rows: Sequence[Row[Any]], *, alone: bool
    ) -> tuple[int, Exception | None]:
        """Send the rows, mark those acknowledged, and settle each bucket's first failure:
        dead-lettered when the record itself is refused for good, else counted. The rows
        moved and the first failure that was not dead-lettered."""
        sent_ids, failures = await self._send(rows)
        if sent_ids:
            await session.execute(self._mark_published, {"ids": sent_ids, "at": datetime.now(UTC)})
        self.published += len(sent_ids)
        moved, error = len(sent_ids), None
        for failure in failures:
            if self._gives_up(failure, alone=alone):
                await self._move_to_dead_letters(session, failure)
                moved += 1
            else:
                await self._record_failure(session, failure.row, failure.error)
                error = error or failure.error
        return moved, error

    async def _claim(self, session: AsyncSession) -> Sequence[Row[Any]]:
        rows: Sequence[Row[Any]] = (await session.execute(self._claim_rows)).all()
        return rows

    def _gives_up(self, failure: _Failure, *, alone: bool) -> bool:
        return (
            alone
            and is_unproducible(failure.error)
            and failure.row.attempts + 1 >= self._max_attempts
        )

    async def _send(self, rows: Sequence[Row[Any]]) -> tuple[list[int], list[_Failure]]:
        """Send rows in order; the ids of the rows the broker acknowledged wholly (both records
        of a state event), and each bucket's first row that was not (with its error).

        All acknowledgements are awaited together (bounded), so a slow but successful send is
        marked published instead of being sent again. A row after its bucket's failed one is
        not marked published even when acknowledged: it is sent again after the failed one, so
        the last record of a key on the state topic is always its newest state. A row the
        producer refuses at once ends the sending: the rows after it stay pending without a
        failure of their own."""
        producer = await self._ensure_producer()
        timeout = self._kafka.request_timeout_s
        sends: list[_Sending] = []
        for row in rows:
            sending = _Sending(row)
            sends.append(sending)
            try:
                records = await self._records_of(producer, row)
                with sending_in_context_of(records[0].headers) as sent_headers:
                    for record in records:
                        # A timeout scope, not `wait_for`: no task of its own for each record.
                        async with asyncio.timeout(timeout):
                            delivery = await producer.send(
                                record.topic,
                                value=record.value,
                                key=record.key,
                                # a tombstone carries no event, nor its subject
                                headers=sent_headers if record.value is not None else [],
                                partition=record.partition,
                            )
                        sending.futures.append(delivery)
                sending.complete = True
            except Exception as exc:
                sending.error = exc
                break
        await _settle(sends, timeout)
        sent: list[int] = []
        failures: dict[int, _Failure] = {}
        for sending in sends:
            bucket = sending.row.bucket
            if bucket in failures:
                continue
            failure = sending.failure()
            if failure is None:
                sent.append(sending.row.id)
            else:
                failures[bucket] = failure
        return sent, list(failures.values())

    async def _records_of(self, producer: AIOKafkaProducer, row: Row[Any]) -> list[_Record]:
        """The row's record on its topic and, for a state event, on the state topic."""
        key, value, headers = _record_of(row)
        records = [_Record(row.topic, key, value, headers)]
        try:
            state = state_record_of(row.topic, value, headers)
        except UndecodableEvent as exc:
            raise UnencodableRecord(f"outbox row {row.id} is not its topic's event: {exc}") from exc
        if state is not None:
            async with asyncio.timeout(self._kafka.request_timeout_s):
                partitions = await producer.partitions_for(state.topic)
            partition = self._partition_of(partitions, key)
            records.append(_Record(state.topic, state.key, state.value, headers, partition))
        return records

    def _partition_of(self, partitions: Iterable[int], key: bytes) -> int:
        return partition_of(partitions, key)

    async def _record_failure(self, session: AsyncSession, row: Row[Any], error: Exception) -> None:
        await session.execute(
            update(self._outbox)
            .where(self._outbox.c.id == row.id)
            .values(attempts=self._outbox.c.attempts + 1, last_error=repr(error)[:2000])
        )

    async def _move_to_dead_letters(self, session: AsyncSession, failure: _Failure) -> None:
        """Copy the row (its value stays in the database) with its error, then delete it."""
        outbox, row = self._outbox, failure.row
        copied = ("id", "event_id", "topic", "key", "bucket", "event_type", "headers", "value")
        await session.execute(
            insert(self._dead_letters).from_select(
                ["outbox_id", *copied[1:], "created_at", "attempts", "error"],
                select(
                    *(outbox.c[name] for name in copied),
                    outbox.c.created_at,
                    outbox.c.attempts + 1,
                    literal(repr(failure.error)[:2000]),
                ).where(outbox.c.id == row.id),
            )
        )
        await session.execute(delete(outbox).where(outbox.c.id == row.id))
        self.dead_lettered += 1
        log.error(
            "outbox.dead_lettered",
            outbox_id=row.id,
            event_id=row.event_id,
            event_type=row.event_type,
            topic=row.topic,
            key=row.key,
            attempts=row.attempts + 1,
            error=repr(failure.error)[:500],
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


def _claim_statement(outbox: Table, batch_size: int) -> Select[Any]:
    """The oldest pending rows of the buckets whose advisory lock the transaction gets (the
    locks are tried once per pending bucket). Another relay holding a bucket keeps it; rows
    another relay is sending are skipped."""
    pending = select(outbox.c.bucket).where(outbox.c.published_at.is_(None)).distinct()
    pending_buckets = pending.subquery("pending_bucket")
    locked = (
        select(pending_buckets.c.bucket)
        .where(func.pg_try_advisory_xact_lock(_LOCK_NAMESPACE, pending_buckets.c.bucket))
        .cte("locked_bucket")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return (
        select(outbox)
        .where(outbox.c.published_at.is_(None), outbox.c.bucket.in_(select(locked.c.bucket)))
        .order_by(outbox.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )


def _record_of(row: Row[Any]) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    try:
        headers = [(str(name), str(value).encode()) for name, value in row.headers]
        return row.key.encode(), bytes(row.value), headers
    except (TypeError, ValueError, UnicodeError) as exc:
        raise UnencodableRecord(f"outbox row {row.id} cannot be encoded: {exc!r}") from exc


@dataclass(frozen=True)
class StateRecord:
    """A state event's record on the state topic: under its compaction key, with the event as
    its value or (`value` None) a tombstone."""

    topic: str
    key: bytes
    value: bytes | None


def state_record_of(
    topic: str, value: bytes, headers: Sequence[tuple[str, bytes]]
) -> StateRecord | None:
    """Where a record produced to `topic` goes on its state topic; None when the topic has
    none or the event is not a state event. Raises `UndecodableEvent` for a record that is not
    one of the topic's events."""
    contract = contract_of(topic)
    if contract is None or contract.state_topic is None:
        return None
    entry = contract.state_entry(contract.decode(headers, value).data)
    if entry is None:
        return None
    return StateRecord(contract.state_topic, entry.key.encode(), None if entry.deletes else value)


def partition_of(partitions: Iterable[int], ordering_key: bytes) -> int:
    """The partition the producer's default partitioner gives a key (murmur2 over all the
    topic's partitions): a state record goes where its ordering key would."""
    ordered = sorted(partitions)
    return int(ordered[(murmur2(ordering_key) & 0x7FFFFFFF) % len(ordered)])


@dataclass(frozen=True)
class _Record:
    topic: str
    key: bytes
    value: bytes | None  # None: a tombstone
    headers: list[tuple[str, bytes]]
    partition: int | None = None  # None: the producer's partitioner chooses by key


@dataclass
class _Sending:
    """One row on its way: its records' delivery futures."""

    row: Row[Any]
    futures: list[asyncio.Future[Any]] = field(default_factory=list)
    complete: bool = False  # every record of the row was handed to the producer
    error: Exception | None = None

    def failure(self) -> _Failure | None:
        if self.error is not None:
            return _Failure(self.row, self.error)
        for future in self.futures:
            if not future.done() or future.cancelled():
                return _Failure(self.row, RuntimeError("a record was not acknowledged"))
            error = future.exception()
            if isinstance(error, Exception):
                return _Failure(self.row, error)
        if not self.complete:
            return _Failure(self.row, RuntimeError("a record was not sent"))
        return None


async def _settle(sends: Sequence[_Sending], timeout: float) -> None:
    futures = [future for sending in sends for future in sending.futures]
    if futures:
        await asyncio.wait(futures, timeout=timeout)


def _split_retried(rows: Sequence[Row[Any]]) -> tuple[list[Row[Any]], list[Row[Any]]]:
    """The rows to send together, and the rows that failed before, each to be sent alone: a
    bucket whose oldest pending row failed before sends only that row in this pass."""
    heads: dict[int, Row[Any]] = {}
    for row in rows:
        heads.setdefault(row.bucket, row)
    retried = [head for head in heads.values() if head.attempts > 0]
    waiting = {head.bucket for head in retried}
    return [row for row in rows if row.bucket not in waiting], retried


class DeadLetterMetrics(Collector):
    """`outbox_dead_letters` (waiting) and `outbox_dead_lettered_total`, read from the database
    when /metrics is scraped, so they count the work of every relay replica whichever process
    is scraped. The total is the dead-letter table's id sequence: it only grows."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: MessagingTables):
        self._sessions = sessions
        self._table = tables.dead_letters
        self._values: tuple[int, int] | None = None

    async def refresh(self) -> None:
        table = self._table
        sequence = cast(func.pg_get_serial_sequence(table.name, "id"), REGCLASS)
        async with self._sessions() as session:
            waiting, total = (
                await session.execute(
                    select(
                        func.count(), func.coalesce(func.pg_sequence_last_value(sequence), 0)
                    ).select_from(table)
                )
            ).one()
        self._values = int(waiting), int(total)

    def collect(self) -> Iterator[Metric]:
        if self._values is None:
            return
        waiting, total = self._values
        yield GaugeMetricFamily(
            DEAD_LETTERS_METRIC,
            "Outbox records the relay could not produce, waiting in the dead-letter table.",
            value=waiting,
        )
        yield CounterMetricFamily(
            DEAD_LETTERED_METRIC,
            "Outbox records moved to the dead-letter table since the database was created.",
            value=total,
        )


async def pending_count(session: AsyncSession, tables: MessagingTables) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(tables.outbox)
        .where(tables.outbox.c.published_at.is_(None))
    )
    return int(result.scalar_one())
