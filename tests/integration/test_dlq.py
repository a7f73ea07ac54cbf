"""Operators list dead letters and redrive each of them once."""

from __future__ import annotations

import pytest

from samspill.dlq import list_dead_letters, redrive
from samspill.events.base import Envelope, dlq_topic
from samspill.kafka import ensure_topics, new_producer, start_client, stop_client
from tests.integration.kernel_support import CounterBumped, contract, read_envelopes

pytestmark = pytest.mark.slow


async def test_dead_letters_are_listed_and_redriven_once(isolated_kafka):
    kafka = isolated_kafka
    source = contract("samspill.test.source")
    await ensure_topics(kafka, [source.topic, dlq_topic("booking")])
    envelope = Envelope(data=CounterBumped(counter="d", by=1), source="/t")
    producer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        await producer.send_and_wait(
            dlq_topic("booking"),
            envelope.value(),
            key=b"d",
            headers=[
                *envelope.headers(),
                ("dlq_error", b"ValueError('boom')"),
                ("dlq_topic", source.topic.encode()),
                ("dlq_offset", b"7"),
            ],
        )
    finally:
        await stop_client(producer, kafka.request_timeout_s)

    letters = await list_dead_letters(kafka, "booking")
    assert len(letters) == 1
    assert "boom" in letters[0].describe()
    assert "samspill.test.counter_bumped.v1" in letters[0].describe()

    assert await redrive(kafka, "booking") == 1
    assert await redrive(kafka, "booking") == 0  # each dead letter is redriven once
    resent = await read_envelopes(kafka, source, expected=1)
    assert [e.id for e in resent] == [envelope.id]
