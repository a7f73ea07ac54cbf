"""Reading a topic to its end: read-model rebuilds and dead-letter tools.

`TopicReader` assigns every partition of one topic, starts at the beginning (or, with a group,
at the group's committed offsets) and reads up to the end offsets taken when it opened, so a
replay terminates even while producers keep writing. Every broker call is bounded.

`read_history` and `check_history` keep a rebuild from dropping data: a broker that lost
events (an in-memory broker restarted, a topic recreated, retention) still lets a replay read
to the end, and the rebuilt model would silently lack what is gone. See `check_history`.

`read_state` and `check_state_history` do the same for a state topic (see
`samspill.events.base`): a rebuild reads the latest state of every aggregate from it instead
of replaying an event topic that keeps only so many days.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self, TypeAlias

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import String, Table, any_, bindparam, func, not_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from samspill.events.base import (
    Envelope,
    TopicContract,
    UndecodableEvent,
    state_key_digest,
)
from samspill.kafka import KafkaConfig, new_consumer, start_client, stop_client

log = structlog.get_logger("samspill.replay")

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"

# More than one fetch can hold (at most 1 MB per partition): a poll then returns whole fetches,
# and a partition's position always lands between record batches.
ALL_FETCHED = 10_000_000


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
        """The records up to the end offsets taken at open, at least (at most `limit`).

        Everything fetched is taken and kept, also past an end offset. The embedded Tansu
        broker reports a partition's end as the base offset of its last record batch + 1, so
        cutting there, or stopping inside a batch because a poll hands out only so many
        records, would lose the rest of that batch; and a group's commit, which moves to the
        position after everything fetched, must never pass a record that was not returned.
        """
        consumer, timeout = self._opened(), self._kafka.request_timeout_s
        records: list[Record] = []
        pending = {tp for tp, end in self._ends.items() if end > 0}
        pending = {tp for tp in pending if await self._position(tp) < self._ends[tp]}
        while pending and (limit is None or len(records) < limit):
            batches = await asyncio.wait_for(
                consumer.getmany(timeout_ms=500, max_records=ALL_FETCHED), timeout + 5
            )
            for batch in batches.values():
                records.extend(batch)
            pending = {tp for tp in pending if await self._position(tp) < self._ends[tp]}
        return records if limit is None else records[:limit]

    @property
    def partitions(self) -> int:
        """How many partitions the topic has."""
        return len(self._ends)

    async def beginnings(self) -> dict[int, int]:
        """Each partition's beginning offset (its log start): above 0 once retention or
        DeleteRecords removed records; compaction leaves it at 0."""
        partitions = list(self._ends)
        if not partitions:
            return {}
        found = await asyncio.wait_for(
            self._opened().beginning_offsets(partitions), self._kafka.request_timeout_s
        )
        return {tp.partition: int(offset) for tp, offset in found.items()}

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


# --- rebuilds: is the whole history still there? --------------------------------------------

MISSING_EXAMPLES = 5


@dataclass(frozen=True)
class History:
    """What a rebuild replays: the topics' events, read after `read_after` (database clock)."""

    contracts: tuple[TopicContract, ...]
    envelopes: list[Envelope]
    read_after: datetime


@dataclass(frozen=True)
class HistoryGap:
    """Events a consumer applied from the topics that the topics no longer hold."""

    consumer: str
    topics: tuple[str, ...]
    applied: int
    missing: int
    examples: tuple[str, ...]

    def message(self) -> str:
        topics, examples = ", ".join(self.topics), ", ".join(self.examples)
        return (
            f"Gjenoppbygging avvist: {self.missing} av {self.applied} hendelser som "
            f"{self.consumer} har tatt inn, finnes ikke lenger på {topics}; en gjenoppbygging "
            "ville fjernet det disse hendelsene la inn i lesemodellen.\n"
            f"Rebuild refused: {self.missing} of the {self.applied} events {self.consumer} "
            f"applied are no longer on {topics} (e.g. {examples}). The broker does not hold "
            "the history behind the read model, and a rebuild would drop what those events "
            "built. Point the rebuild at the broker that holds the whole history, or pass "
            "--force to rebuild from what is there and lose the rest."
        )

    def forced_message(self) -> str:
        return (
            f"Gjenoppbygging tvunget (--force): {self.missing} av {self.applied} hendelser "
            "mangler, og det de bygde i lesemodellen er borte. / Rebuild forced: "
            f"{self.missing} of the {self.applied} events {self.consumer} applied are missing "
            f"from {', '.join(self.topics)}, and what they built is gone from the read model."
        )


@dataclass(frozen=True)
class StateGap:
    """Why a state topic cannot be trusted to hold every aggregate a consumer applied."""

    consumer: str
    topic: str
    trimmed: tuple[tuple[int, int], ...]  # (partition, beginning offset) where it is above 0
    known: int  # aggregates the consumer's inbox knows
    missing: int  # of those, not on the state topic
    examples: tuple[str, ...]

    def _reasons(self) -> tuple[str, str]:
        nb: list[str] = []
        en: list[str] = []
        if self.trimmed:
            where = ", ".join(f"{p} starts at offset {o}" for p, o in self.trimmed)
            hvor = ", ".join(f"{p} starter ved offset {o}" for p, o in self.trimmed)
            nb.append(
                f"{self.topic} begynner ikke lenger ved starten av historikken (partisjon {hvor})"
            )
            en.append(
                f"{self.topic} no longer starts at the beginning of its history (partition "
                f"{where}): retention or DeleteRecords removed records, and the states they "
                "held may be gone; a state topic must keep every record (cleanup.policy=compact, "
                "retention.ms=-1)"
            )
        if self.missing:
            nb.append(
                f"{self.missing} av {self.known} aggregater som {self.consumer} har tatt inn "
                f"hendelser for, finnes ikke på {self.topic}"
            )
            en.append(
                f"{self.missing} of the {self.known} aggregates {self.consumer} applied events "
                f"for are not on {self.topic} (e.g. {', '.join(self.examples)}): the state topic "
                "was recreated or emptied, or their states have not reached it yet"
            )
        return "; ".join(nb), "; ".join(en)

    def message(self) -> str:
        nb, en = self._reasons()
        return (
            f"Gjenoppbygging avvist: {nb}. En gjenoppbygging ville fjernet det som mangler fra "
            "lesemodellen; ingenting er endret.\n"
            f"Rebuild refused: {en}. A rebuild would drop what is missing from the read model; "
            "nothing was changed. Point the rebuild at the broker that holds the state topic, "
            "wait for the relay if it is behind, or pass --force to rebuild from what is there "
            "and lose the rest."
        )

    def forced_message(self) -> str:
        nb, en = self._reasons()
        return (
            f"Gjenoppbygging tvunget (--force): {nb}; det som mangler, er borte fra lesemodellen. "
            f"/ Rebuild forced: {en}; what is missing is gone from the read model."
        )


class HistoryMissing(RuntimeError):
    """A rebuild was refused: the topics no longer hold every event (or a state topic every
    aggregate) the read model came from."""

    def __init__(self, gap: HistoryGap | StateGap) -> None:
        super().__init__(gap.message())
        self.gap = gap


async def database_now(sessions: async_sessionmaker[AsyncSession]) -> datetime:
    async with sessions() as session:
        now = await session.scalar(select(func.now()))
    if not isinstance(now, datetime):
        raise RuntimeError("the database did not tell its time")
    return now


async def read_history(
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConfig,
    contracts: Sequence[TopicContract],
) -> History:
    """Every decodable event of the contracts' topics, with the time before they were read."""
    read_after = await database_now(sessions)
    envelopes: list[Envelope] = []
    for contract in contracts:
        envelopes.extend(await read_events(kafka, contract))
    return History(tuple(contracts), envelopes, read_after)


async def history_gap(
    session: AsyncSession, inbox: Table, consumer: str, history: History
) -> HistoryGap | None:
    """Which events in `consumer`'s inbox (from these topics) are not in the replay, if any.

    The inbox row of every event the consumer applied is the record of what the read model was
    built from, so "inbox ⊆ replay" means "the topics still hold the history" as far as the
    inbox reaches. The housekeeping purges rows after `INBOX_RETENTION_DAYS` (45 by default), so
    the check sees the events applied within that period only: a topic recreated or emptied
    shows, since something changed lately, but one that lost only older events does not. That
    is why it guards topics kept for ever (`samspill.facilities`); a topic that keeps days
    only is rebuilt from its state topic instead (`check_state_history`). Rows newer than
    `history.read_after` are left out: the running consumer may apply events produced after the
    replay took its end offsets, and those are not missing. A row written before then belongs
    to a record the consumer had already fetched, so below the end offsets read later.
    """
    types = [event_type for contract in history.contracts for event_type in contract.events]
    replayed = sorted({envelope.id for envelope in history.envelopes})
    scope = (
        inbox.c.consumer == consumer,
        inbox.c.event_type.in_(types),
        inbox.c.processed_at < history.read_after,
    )
    in_replay = inbox.c.event_id == any_(bindparam("replayed", replayed, type_=ARRAY(String)))
    applied = await session.scalar(select(func.count()).select_from(inbox).where(*scope))
    missing = select(inbox.c.event_id, inbox.c.event_type).where(*scope, not_(in_replay))
    count = await session.scalar(select(func.count()).select_from(missing.subquery()))
    if not count:
        return None
    examples = await session.execute(
        missing.order_by(inbox.c.processed_at, inbox.c.event_id).limit(MISSING_EXAMPLES)
    )
    return HistoryGap(
        consumer=consumer,
        topics=tuple(contract.topic for contract in history.contracts),
        applied=int(applied or 0),
        missing=int(count),
        examples=tuple(f"{event_id} ({event_type})" for event_id, event_type in examples),
    )


async def check_history(
    session: AsyncSession,
    inbox: Table,
    consumer: str,
    history: History,
    *,
    force: bool = False,
) -> None:
    """Raise `HistoryMissing` unless the replay holds every event the consumer applied.

    Call it in the rebuild's transaction before the read model is emptied. With `force` the
    gap is logged as an error and the rebuild goes on.
    """
    gap = await history_gap(session, inbox, consumer, history)
    if gap is None:
        return
    if not force:
        raise HistoryMissing(gap)
    log.error(
        "rebuild.history_missing_forced",
        warning=gap.forced_message(),
        consumer=consumer,
        topics=list(gap.topics),
        applied=gap.applied,
        missing=gap.missing,
        examples=list(gap.examples),
    )


# --- rebuilds from a state topic ------------------------------------------------------------


@dataclass(frozen=True)
class StateHistory:
    """What a rebuild reads from a contract's state topic, read after `read_after` (database
    clock): per aggregate its latest state, in topic order."""

    contract: TopicContract
    envelopes: list[Envelope]
    keys: frozenset[str]  # digests of every key the topic holds, tombstones included
    beginnings: dict[int, int]  # partition → beginning offset
    read_after: datetime

    @property
    def topic(self) -> str:
        return self.contract.state_topic or ""


def latest_records(records: Iterable[Record]) -> list[Record]:
    """The last record of each key, in reading order, without the keys whose last record is a
    tombstone: what a fully compacted topic holds (the broker may not have compacted yet).

    Reading order keeps each partition's order, and all states of one aggregate share a
    partition, so the last one read is the newest."""
    ordered = [record for record in records if record.key is not None]
    last = {record.key: position for position, record in enumerate(ordered)}
    return [
        record
        for position, record in enumerate(ordered)
        if last[record.key] == position and record.value is not None
    ]


async def read_state(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConfig, contract: TopicContract
) -> StateHistory:
    """The latest state of every aggregate on the contract's state topic."""
    if contract.state_topic is None:
        raise ValueError(f"{contract.topic} has no state topic")
    read_after = await database_now(sessions)
    async with TopicReader(kafka, contract.state_topic) as reader:
        records = await reader.read_to_end()
        beginnings = await reader.beginnings()
    envelopes: list[Envelope] = []
    for record in latest_records(records):
        try:
            envelopes.append(contract.decode(record.headers, record.value))
        except UndecodableEvent as exc:
            log.warning(
                "replay.undecodable_skipped",
                topic=record.topic,
                offset=record.offset,
                error=str(exc),
            )
    keys = frozenset(state_key_digest(r.key.decode()) for r in records if r.key is not None)
    return StateHistory(contract, envelopes, keys, beginnings, read_after)


async def state_gap(
    session: AsyncSession, inbox: Table, consumer: str, state: StateHistory
) -> StateGap | None:
    """Whether the state topic lost records (a partition no longer begins at offset 0) or
    lacks aggregates the consumer applied state events of (their key digests in its inbox).

    Rows newer than `state.read_after` are left out, as in `history_gap`. The inbox keeps
    rows for `INBOX_RETENTION_DAYS` only, so it names the aggregates that changed within that
    time: a recreated or emptied state topic shows, since some aggregate always changed
    lately, but the loss of one aggregate untouched for longer does not; the beginning
    offsets cover the whole topic. An aggregate that ended (a tombstone) is not expected:
    the consumer cleared its digests when it applied the end.
    """
    trimmed = tuple(sorted((p, o) for p, o in state.beginnings.items() if o > 0))
    types = list(state.contract.state_events())
    scope = (
        inbox.c.consumer == consumer,
        inbox.c.event_type.in_(types),
        inbox.c.processed_at < state.read_after,
        inbox.c.state_key_digest.is_not(None),
    )
    known = set(
        (await session.scalars(select(inbox.c.state_key_digest).where(*scope).distinct())).all()
    )
    missing = sorted(str(digest) for digest in known - state.keys)
    if not trimmed and not missing:
        return None
    examples = await session.execute(
        select(inbox.c.event_id, inbox.c.event_type)
        .where(*scope, inbox.c.state_key_digest.in_(missing[: MISSING_EXAMPLES * 10]))
        .order_by(inbox.c.processed_at, inbox.c.event_id)
        .limit(MISSING_EXAMPLES)
    )
    return StateGap(
        consumer=consumer,
        topic=state.topic,
        trimmed=trimmed,
        known=len(known),
        missing=len(missing),
        examples=tuple(f"{event_id} ({event_type})" for event_id, event_type in examples),
    )


async def check_state_history(
    session: AsyncSession,
    inbox: Table,
    consumer: str,
    state: StateHistory,
    *,
    force: bool = False,
) -> None:
    """Raise `HistoryMissing` unless the state topic can be trusted to hold every aggregate
    the consumer's read model was built from (see `state_gap`).

    Call it in the rebuild's transaction before the read model is emptied. With `force` the
    gap is logged as an error and the rebuild goes on.
    """
    gap = await state_gap(session, inbox, consumer, state)
    if gap is None:
        return
    if not force:
        raise HistoryMissing(gap)
    log.error(
        "rebuild.state_missing_forced",
        warning=gap.forced_message(),
        consumer=consumer,
        topic=gap.topic,
        trimmed=[list(pair) for pair in gap.trimmed],
        known=gap.known,
        missing=gap.missing,
        examples=list(gap.examples),
    )
