"""One booking is one trace: the services, as real processes exporting over OTLP/HTTP to a
receiver in this test, send the spans of the booking request, of the relay publishing its
event and of the notifications consumer applying it, all with one trace id and each the child
of the one before (HTTP → outbox → Kafka → consumer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from samspill.infra import Infrastructure, start_tansu
from samspill.kafka import KafkaConfig
from tests.reliability.ops_stack import (
    DatabaseFactory,
    OpsStack,
    booking_body,
    create_gym,
    create_site,
    ops_stack,
    register_club,
)
from tests.reliability.otlp_receiver import OtlpReceiver, ReceivedSpan, otlp_receiver
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(240)]

SERVER, PRODUCER, CONSUMER = 2, 4, 5  # OTLP span kinds


async def test_spans_of_one_booking_reach_the_receiver_as_one_trace(
    infra: Infrastructure, database_factory: DatabaseFactory, tmp_path: Path
) -> None:
    broker = start_tansu()
    try:
        kafka = KafkaConfig(broker.url, 5.0, 1000, 200, 3)
        async with otlp_receiver() as receiver:
            exporting = {
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "100",
            }
            env = {name: exporting for name in ("facilities", "booking", "notifications")}
            async with ops_stack(
                infra, database_factory, kafka, tmp_path, label="traced", env=env
            ) as stack:
                try:
                    await check_one_trace(stack, receiver)
                except BaseException:
                    print(stack.logs())
                    raise
    finally:
        broker.stop()


async def check_one_trace(stack: OpsStack, receiver: OtlpReceiver) -> None:
    site_id = await create_site(stack, "Volla skole")
    space_id = await create_gym(stack, site_id)
    club_id = await register_club(stack, 7)

    async def booked() -> str | None:  # once booking's catalogue knows the space
        response = await stack.request(
            "POST", "booking", "/bookings", json=booking_body(space_id, club_id)
        )
        return response.headers["traceparent"] if response.status_code == 201 else None

    trace_id = (await eventually(booked, timeout=60, interval=0.3)).split("-")[1]

    async def whole_trace() -> list[ReceivedSpan] | None:
        spans = receiver.of_trace(trace_id)
        consumed = [s for s in spans if s.service == "notifications" and s.kind == CONSUMER]
        return spans if consumed else None

    spans = await eventually(whole_trace, timeout=60, interval=0.2)
    by_id = {span.span_id: span for span in spans}
    request = only(spans, "booking", SERVER, "POST /bookings")
    send = only(spans, "booking", PRODUCER, "samspill.booking send")
    process = only(spans, "notifications", CONSUMER, "process samspill.booking")
    assert request.parent_span_id == ""  # the trace starts at the request
    assert ancestors(send, by_id)[-1] == request
    assert process.parent_span_id == send.span_id  # across Kafka, by the record's header
    in_handler = [s for s in spans if process in ancestors(s, by_id)]
    assert any(s.service == "notifications" and s.name != process.name for s in in_handler), (
        "the consumer's SQL is not in the trace"
    )
    assert {s.service for s in spans} >= {"booking", "notifications"}


def only(spans: list[ReceivedSpan], service: str, kind: int, name: str) -> ReceivedSpan:
    found = [s for s in spans if (s.service, s.kind, s.name) == (service, kind, name)]
    assert len(found) == 1, (name, [(s.service, s.kind, s.name) for s in spans])
    return found[0]


def ancestors(span: ReceivedSpan, by_id: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    chain = []
    while span.parent_span_id in by_id:
        span = by_id[span.parent_span_id]
        chain.append(span)
    return chain
