"""Kernel integration test helpers: a tiny contract, a database with messaging tables."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from aiokafka import AIOKafkaConsumer
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from samspill.db import create_engine, session_factory
from samspill.events.base import Envelope, EventData, TopicContract
from samspill.kafka import (
    KafkaConfig,
    ensure_topics,
    new_consumer,
    new_producer,
    start_client,
    stop_client,
)
from samspill.messaging import MessagingTables, messaging_tables
from samspill.replay import TopicReader


class CounterBumped(EventData):
    type: Literal["samspill.test.counter_bumped.v1"] = "samspill.test.counter_bumped.v1"
    counter: str
    by: int

    def aggregate_id(self) -> str:
        return self.counter


class CounterSet(EventData):
    """A state event: the counter's whole state."""

    type: Literal["samspill.test.counter_set.v1"] = "samspill.test.counter_set.v1"
    state_key = "counter:{counter}"
    counter: str
    value: int

    def aggregate_id(self) -> str:
        return self.counter


class CounterRemoved(EventData):
    """Ends the counter: a tombstone on the state topic."""

    type: Literal["samspill.test.counter_removed.v1"] = "samspill.test.counter_removed.v1"
    state_key = "counter:{counter}"
    state_deletes = True
    counter: str

    def aggregate_id(self) -> str:
        return self.counter


def state_contract(topic: str) -> TopicContract:
    """A topic with a state topic (`<topic>.state`): `CounterSet` and `CounterRemoved` go to
    both, `CounterBumped` (a one-off) to the event topic only."""
    return TopicContract(
        topic, [CounterSet, CounterRemoved, CounterBumped], state_topic=f"{topic}.state"
    )


metadata = MetaData()
tables: MessagingTables = messaging_tables(metadata)
counters = Table(
    "counter",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Integer, nullable=False),
)


async def prepared_database(url: str) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    engine = create_engine(url, pool_size=5)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return engine, session_factory(engine)


def contract(topic: str) -> TopicContract:
    return TopicContract(topic, [CounterBumped])


async def read_envelopes(
    kafka: KafkaConfig,
    topic_contract: TopicContract,
    expected: int,
    timeout: float = 20.0,
    accept: Callable[[Envelope], bool] = lambda _: True,
) -> list[Envelope]:
    """Read a topic from the start (no group) until `expected` envelopes arrived or timeout."""
    consumer: AIOKafkaConsumer = new_consumer(kafka, topic_contract.topic, group_id=None)
    await start_client(consumer, kafka.request_timeout_s)
    found: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    envelope = topic_contract.decode(record.headers, record.value)
                    if accept(envelope):
                        found.append(envelope)
    finally:
        await stop_client(consumer, kafka.request_timeout_s)
    return found


async def copy_records(
    source: KafkaConfig, target: KafkaConfig, topic: str, *, keep: Callable[[int], bool]
) -> int:
    """Copy a topic's records (key, value, headers as they are) to another broker.

    `keep` gets each record's position in reading order; returns how many were copied. This is
    how a broker that lost part of its history looks to a reader.
    """
    async with TopicReader(source, topic) as reader:
        records = await reader.read_to_end()
    await ensure_topics(target, [topic])
    producer = new_producer(target)
    await start_client(producer, target.request_timeout_s)
    copied = 0
    try:
        for position, record in enumerate(records):
            if not keep(position):
                continue
            await asyncio.wait_for(
                producer.send_and_wait(
                    topic, value=record.value, key=record.key, headers=list(record.headers)
                ),
                target.request_timeout_s,
            )
            copied += 1
    finally:
        await stop_client(producer, target.request_timeout_s)
    return copied
