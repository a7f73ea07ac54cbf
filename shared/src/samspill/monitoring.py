"""What an operator watches besides the requests: the broker and Redis, the outbox, the lag.

Readiness means "can serve": the database only (`/readyz`). The broker and Redis are not
needed to answer a request — events wait in the outbox, feeds are rendered from the database,
rate limits fail open — so their state is a metric and a log line instead:

- `dependency_up{dependency="broker"|"redis"}` (1 or 0), probed every few seconds by
  `DependencyMonitor`, which logs `dependency.down` and `dependency.up` when a state changes;
- `outbox_pending` and `outbox_oldest_pending_age_seconds`, read from the database at scrape;
- `kafka_consumer_lag{group, topic}`: records on the topic the service's consumer group has not
  committed yet, and `kafka_dead_letter_queue_records{topic}`: records on the service's DLQ topic
  not yet redriven (the lag of the redrive group), both asked of the broker at scrape.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from samspill.clock import Clock, utc_now
from samspill.kafka import KafkaConfig, start_client, stop_client
from samspill.messaging import MessagingTables
from samspill.observability import Metrics

log = structlog.get_logger("samspill.monitoring")

DEPENDENCY_CHECK_INTERVAL_S = 10.0
Probe = Callable[[], Awaitable[None]]


class DependencyMonitor:
    """Probes the dependencies a service can serve without (broker, Redis) until stopped."""

    def __init__(
        self,
        probes: Mapping[str, Probe],
        metrics: Metrics,
        *,
        interval_s: float = DEPENDENCY_CHECK_INTERVAL_S,
        timeout_s: float = 3.0,
    ) -> None:
        self._probes = dict(probes)
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._up = metrics.gauge(
            "dependency_up",
            "1 while a dependency answers (broker, redis); the service serves without them.",
            ("dependency",),
            multiprocess_mode="livemin",  # 0 when any running process cannot reach it
        )
        self.state: dict[str, bool] = {}

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.check_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)

    async def check_once(self) -> dict[str, bool]:
        outcomes = await asyncio.gather(*(self._check(n, p) for n, p in self._probes.items()))
        return dict(zip(self._probes, outcomes, strict=True))

    async def _check(self, name: str, probe: Probe) -> bool:
        error: str | None = None
        try:
            async with asyncio.timeout(self._timeout_s):
                await probe()
        except Exception as exc:
            error = repr(exc)[:300]
        up = error is None
        self._up.labels(dependency=name).set(1 if up else 0)
        before = self.state.get(name)
        self.state[name] = up
        if not up and before is not False:
            log.warning("dependency.down", dependency=name, error=error)
        elif up and before is False:
            log.info("dependency.up", dependency=name)
        return up


class OutboxBacklogMetrics(Collector):
    """`outbox_pending` and `outbox_oldest_pending_age_seconds`, read at scrape time."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = tables.outbox
        self._clock = clock
        self._values: tuple[int, float] | None = None

    async def refresh(self) -> None:
        outbox = self._outbox
        async with self._sessions() as session:
            pending, oldest = (
                await session.execute(
                    select(func.count(), func.min(outbox.c.created_at)).where(
                        outbox.c.published_at.is_(None)
                    )
                )
            ).one()
        self._values = int(pending), _age_s(oldest, self._clock())

    def collect(self) -> Iterator[Metric]:
        if self._values is None:
            return
        pending, age = self._values
        yield GaugeMetricFamily(
            "outbox_pending", "Outbox rows committed but not yet published.", value=pending
        )
        yield GaugeMetricFamily(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished outbox row (0 when none waits).",
            value=age,
        )


def _age_s(oldest: datetime | None, now: datetime) -> float:
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


@dataclass(frozen=True)
class GroupWatch:
    """A consumer group and the topics it reads."""

    group: str
    topics: Sequence[str]


class KafkaLagMetrics(Collector):
    """Consumer lag per group and topic, and the records waiting on the dead-letter topic,
    asked of the broker at scrape time (so they grow while the consumers are down)."""

    def __init__(
        self, kafka: KafkaConfig, groups: Sequence[GroupWatch], dead_letters: GroupWatch | None
    ) -> None:
        self._kafka = kafka
        self._groups = list(groups)
        self._dead_letters = dead_letters
        self._lag: dict[tuple[str, str], int] = {}
        self._waiting: dict[str, int] = {}

    async def refresh(self) -> None:
        watches = [*self._groups, *([self._dead_letters] if self._dead_letters else [])]
        if not watches:
            return
        lags = await group_lags(self._kafka, watches)
        self._lag = {key: lag for key, lag in lags.items() if key[0] in _names(self._groups)}
        if self._dead_letters is not None:
            group = self._dead_letters.group
            self._waiting = {topic: lag for (g, topic), lag in lags.items() if g == group}

    def collect(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "kafka_consumer_lag",
            "Records on a topic the consumer group has not committed yet.",
            labels=["group", "topic"],
        )
        for (group, topic), value in sorted(self._lag.items()):
            lag.add_metric([group, topic], value)
        yield lag
        waiting = GaugeMetricFamily(
            "kafka_dead_letter_queue_records",
            "Records on the service's dead-letter topic that were not redriven.",
            labels=["topic"],
        )
        for topic, value in sorted(self._waiting.items()):
            waiting.add_metric([topic], value)
        yield waiting


def _names(watches: Sequence[GroupWatch]) -> set[str]:
    return {watch.group for watch in watches}


async def group_lags(
    kafka: KafkaConfig, watches: Sequence[GroupWatch]
) -> dict[tuple[str, str], int]:
    """(group, topic) → end offsets minus committed offsets (the beginning when none).

    The committed offsets are asked by a client of each group that never subscribes, so it
    never joins the group (no rebalance of the real consumers)."""
    timeout = kafka.request_timeout_s
    reader = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=None)
    await start_client(reader, timeout)
    try:
        topics = sorted({topic for watch in watches for topic in watch.topics})
        partitions = await _partitions(reader, topics, timeout)
        ends = await asyncio.wait_for(reader.end_offsets(partitions), timeout)
        starts = await asyncio.wait_for(reader.beginning_offsets(partitions), timeout)
    finally:
        await stop_client(reader, timeout)
    lags: dict[tuple[str, str], int] = {}
    for watch in watches:
        mine = [p for p in partitions if p.topic in watch.topics]
        committed = await _committed(kafka, watch.group, mine)
        for partition in mine:
            position = committed.get(partition)
            behind = ends[partition] - (starts[partition] if position is None else position)
            key = (watch.group, partition.topic)
            lags[key] = lags.get(key, 0) + max(0, behind)
    return lags


async def _committed(
    kafka: KafkaConfig, group: str, partitions: Sequence[TopicPartition]
) -> dict[TopicPartition, int]:
    timeout = kafka.request_timeout_s
    client = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await start_client(client, timeout)
    try:
        found = {}
        for partition in partitions:
            offset = await asyncio.wait_for(client.committed(partition), timeout)
            if offset is not None and offset >= 0:
                found[partition] = int(offset)
        return found
    finally:
        await stop_client(client, timeout)


async def _partitions(
    reader: AIOKafkaConsumer, topics: Sequence[str], timeout: float
) -> list[TopicPartition]:
    known = await asyncio.wait_for(reader.topics(), timeout)
    return [
        TopicPartition(topic, number)
        for topic in topics
        if topic in known
        for number in sorted(reader.partitions_for_topic(topic) or ())
    ]


__all__ = [
    "DependencyMonitor",
    "GroupWatch",
    "KafkaLagMetrics",
    "OutboxBacklogMetrics",
    "group_lags",
]
