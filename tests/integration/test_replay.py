"""Reading a topic to its end returns every record, also those a producer sent in one batch.

The embedded Tansu broker reports a partition's end offset as the base offset of its last
record batch + 1; a reader that cut the records there lost the rest of that batch (a relay
sends several outbox rows in one batch), and so did one that stopped once a poll (at most 200
records) took it past that offset: a rebuild silently missed those events.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaProducer

from samspill.events.base import Envelope
from samspill.infra import start_tansu
from samspill.kafka import KafkaConfig, ensure_topics, start_client, stop_client
from samspill.replay import read_events
from tests.integration.kernel_support import CounterBumped, contract

pytestmark = pytest.mark.slow

TOPIC = "samspill.test.replay"
BATCH = 250  # more than a consumer hands out per poll (max_poll_records=200)


@pytest.fixture
def one_partition(kafka_config: KafkaConfig) -> Iterator[KafkaConfig]:
    broker = start_tansu()
    try:
        yield dataclasses.replace(kafka_config, bootstrap_servers=broker.url, partitions=1)
    finally:
        broker.stop()


async def test_read_events_returns_a_whole_batch(one_partition: KafkaConfig):
    await ensure_topics(one_partition, [TOPIC])
    envelopes = [Envelope(data=CounterBumped(counter="c", by=n)) for n in range(BATCH)]
    # A long linger puts all records in one produce request, as a busy relay does.
    producer = AIOKafkaProducer(
        bootstrap_servers=one_partition.bootstrap_servers, linger_ms=500, max_batch_size=1 << 20
    )
    await start_client(producer, one_partition.request_timeout_s)
    try:
        sent = [
            await producer.send(TOPIC, e.value(), headers=e.headers(), partition=0)
            for e in envelopes
        ]
        offsets = [(await delivery).offset for delivery in sent]
    finally:
        await stop_client(producer, one_partition.request_timeout_s)
    assert offsets == list(range(BATCH))

    read = await asyncio.wait_for(read_events(one_partition, contract(TOPIC)), 60)
    assert [e.id for e in read] == [e.id for e in envelopes]
