"""OpenTelemetry tracing: one trace from an HTTP request through the outbox, Kafka and the
consumer that applies the event.

`configure_tracing` installs the SDK's tracer provider once per process and instruments
aiokafka; `instrument_app` and `instrument_engine` add the FastAPI and (when exported) the
SQLAlchemy spans. Spans are exported over OTLP/HTTP only when an endpoint is configured with
the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, with
`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
`OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`); `OTEL_SDK_DISABLED=true` turns tracing off altogether.
Without an exporter the trace context is still made and propagated, so log lines carry
`trace_id` and a downstream service that does export continues the caller's trace.

How the trace crosses the outbox: the writer stores the request's W3C `traceparent` among the
row's CloudEvents headers; the relay sends the row inside that context, so the aiokafka
instrumentation's producer span is the request's child and its `traceparent` header (the one
the record carries) names that span; the consumer runner processes each record in a span whose
parent is that header (`consume_span`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("samspill.tracing")

TRACEPARENT = "traceparent"
TRACE_HEADERS = frozenset({"traceparent", "tracestate"})
# Not traced: probes and scrapes, and the private feeds whose path holds a secret token.
EXCLUDED_URLS = "/healthz,/readyz,/metrics,/feeds/organisations/,/feeds/loans/"

_W3C = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None


def tracing_disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def exporter_configured() -> bool:
    """True when the standard variables name an OTLP endpoint and do not turn traces off."""
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return any(
        os.environ.get(name, "").strip()
        for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def configure_tracing(service: str, version: str = "0.1.0") -> TracerProvider | None:
    """The process's tracer provider, made on the first call (later calls return it)."""
    global _provider
    if _provider is not None or tracing_disabled():
        return _provider
    attributes = {"service.version": version, "service.namespace": "samspill"}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = service
    provider = TracerProvider(resource=Resource.create(attributes))
    if exporter_configured():
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        log.info("tracing.exporting", protocol="otlp/http")
    trace.set_tracer_provider(provider)
    _instrument_kafka(provider)
    _provider = provider
    return provider


def shutdown_tracing() -> None:
    """Export what is buffered (at process end)."""
    if _provider is not None:
        _provider.force_flush(5_000)


def _instrument_kafka(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor

    instrumentor = AIOKafkaInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)


def kafka_instrumented() -> bool:
    """True when aiokafka's producer puts its own span's `traceparent` on every record."""
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor

    return bool(AIOKafkaInstrumentor().is_instrumented_by_opentelemetry)


def instrument_app(app: FastAPI) -> None:
    """Server spans for every request (probes, scrapes and private feeds excepted), and the
    `traceparent` of the request's span on its response."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=EXCLUDED_URLS, exclude_spans=["receive", "send"]
    )
    app.add_middleware(TraceparentResponseMiddleware)


def instrument_engine(engine: AsyncEngine) -> None:
    """A span for every SQL statement on `engine` (the statement text, never its parameters),
    when spans are exported: otherwise no one reads them, and a booking runs a dozen
    statements, each span costing the request CPU time (log lines take the trace id from the
    request's span)."""
    if tracing_disabled() or not exporter_configured():
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    tracer = trace.get_tracer("samspill.sqlalchemy")
    connections = get_meter("samspill.sqlalchemy").create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    EngineTracer(tracer, engine.sync_engine, connections)  # type: ignore[no-untyped-call]


class TraceparentResponseMiddleware:
    """Echoes the server span's `traceparent`, so a caller can name the trace of its request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_traceparent(message: Message) -> None:
            if message["type"] == "http.response.start":
                value = current_traceparent()
                if value is not None:
                    MutableHeaders(scope=message)[TRACEPARENT] = value
            await send(message)

        await self.app(scope, receive, send_with_traceparent)


# --- the trace context in events ------------------------------------------------------------


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, or None outside any valid span."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_of(headers: Sequence[tuple[str, bytes]] | None) -> otel_context.Context:
    """The trace context a record's (or an outbox row's) W3C headers carry."""
    carrier = {name: raw.decode("latin-1") for name, raw in headers or () if name in TRACE_HEADERS}
    return _W3C.extract(carrier)


@contextmanager
def sending_in_context_of(
    headers: list[tuple[str, bytes]],
) -> Iterator[list[tuple[str, bytes]]]:
    """Send one outbox row in the trace it was written in: the headers to send.

    With aiokafka instrumented the stored trace headers are left out, because the producer
    span adds its own (the request span's child); otherwise the stored ones travel as they are.
    """
    token = otel_context.attach(context_of(headers))
    try:
        if kafka_instrumented():
            yield [(name, raw) for name, raw in headers if name not in TRACE_HEADERS]
        else:
            yield headers
    finally:
        otel_context.detach(token)


@contextmanager
def consume_span(
    group: str, topic: str, event_id: str, event_type: str, traceparent: str | None
) -> Iterator[trace.Span]:
    """The span a consumer applies one event in, a child of the span that produced it."""
    carrier = [(TRACEPARENT, traceparent.encode())] if traceparent else []
    tracer = trace.get_tracer("samspill.consumer")
    attributes: dict[str, Any] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.consumer.group.name": group,
        "messaging.message.id": event_id,
        "cloudevents.event_type": event_type,
    }
    with tracer.start_as_current_span(
        f"process {topic}",
        context=context_of(carrier),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield span


@contextmanager
def continued_span(
    name: str,
    traceparent: str | None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: dict[str, Any] | None = None,
) -> Iterator[trace.Span]:
    """A span that continues the trace a stored `traceparent` names (e.g. the consumer span
    that queued a message which a job sends later); a new trace when there is none."""
    carrier = [(TRACEPARENT, traceparent.encode())] if traceparent else []
    tracer = trace.get_tracer("samspill.jobs")
    with tracer.start_as_current_span(
        name, context=context_of(carrier), kind=kind, attributes=attributes or {}
    ) as span:
        yield span


def add_trace_ids(
    logger: Any, method_name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """structlog processor: the current span's `trace_id` and `span_id` on every log line."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event_dict.setdefault("trace_id", format(span_context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(span_context.span_id, "016x"))
    return event_dict


__all__ = [
    "EXCLUDED_URLS",
    "add_trace_ids",
    "configure_tracing",
    "consume_span",
    "context_of",
    "current_traceparent",
    "exporter_configured",
    "instrument_app",
    "instrument_engine",
    "kafka_instrumented",
    "sending_in_context_of",
    "shutdown_tracing",
]
