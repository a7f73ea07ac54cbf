"""Logging setup, tracing of requests, Prometheus metrics and health endpoints."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import httpx
import pytest
import structlog
from fastapi import APIRouter, FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from samspill.observability import (
    UNMATCHED_ROUTE,
    EventLoopLagMonitor,
    Metrics,
    MetricsMiddleware,
    ReadinessChecks,
    configure_logging,
    health_router,
    metrics_router,
)
from samspill.problems import install_problem_handlers
from samspill.tracing import add_trace_ids, current_traceparent, instrument_app
from tests.support import eventually

VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


# --- logging ----------------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_writes_json_lines_with_context(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("booking", level="INFO")
    log = structlog.get_logger("test")
    with structlog.contextvars.bound_contextvars(request_id="r-1"):
        log.info("booking.confirmed", booking_id=42)
    log.debug("booking.ignored")
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["event"] == "booking.confirmed"
    assert entry["booking_id"] == 42
    assert entry["request_id"] == "r-1"
    assert entry["service"] == "booking"
    assert entry["level"] == "info"
    assert datetime.fromisoformat(entry["timestamp"]).tzinfo is not None


@pytest.mark.usefixtures("restore_logging", "spans")
def test_library_records_and_spans_come_out_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("booking", level="INFO")
    with trace.get_tracer("test").start_as_current_span("work") as span:
        logging.getLogger("aiokafka.consumer").warning("Heartbeat failed for group %s", "g")
        logging.getLogger("uvicorn.error").info("Started server process")
        structlog.get_logger("test").info("booking.confirmed")
    trace_id = format(span.get_span_context().trace_id, "032x")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    kafka, server, own = lines
    assert kafka["event"] == "Heartbeat failed for group g"
    assert kafka["logger"] == "aiokafka.consumer"
    assert kafka["level"] == "warning"
    assert server["logger"] == "uvicorn.error"
    assert {kafka["service"], server["service"], own["service"]} == {"booking"}
    assert {kafka["trace_id"], server["trace_id"], own["trace_id"]} == {trace_id}


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_honours_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("facilities", level="debug")
    structlog.get_logger("test").debug("space.checked")
    entry = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert entry["event"] == "space.checked"
    assert entry["level"] == "debug"


# --- tracing (OpenTelemetry) -----------------------------------------------------------


def build_traced_app() -> FastAPI:
    app = FastAPI()

    @app.get("/whoami")
    async def whoami() -> dict[str, object]:
        entry = add_trace_ids(None, "info", {})
        return {"traceparent": current_traceparent(), "trace_id": entry.get("trace_id")}

    instrument_app(app)
    return app


@pytest.fixture
async def traced_client(spans: InMemorySpanExporter) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(build_traced_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def trace_id_of(traceparent: str) -> str:
    return traceparent.split("-")[1]


async def test_a_request_continues_the_callers_trace_and_echoes_its_span(
    traced_client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    response = await traced_client.get("/whoami", headers={"traceparent": VALID})
    echoed = response.headers["traceparent"]
    assert trace_id_of(echoed) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert echoed.split("-")[2] != "00f067aa0ba902b7"  # the server's own span
    body = response.json()
    assert body["traceparent"] == echoed
    assert body["trace_id"] == trace_id_of(echoed)
    server = [s for s in spans.get_finished_spans() if s.name == "GET /whoami"]
    assert server
    assert format(server[-1].context.trace_id, "032x") == trace_id_of(echoed)


@pytest.mark.parametrize("incoming", [None, "not-a-traceparent"])
async def test_a_request_without_a_valid_traceparent_starts_a_trace(
    traced_client: httpx.AsyncClient, incoming: str | None
) -> None:
    headers = {"traceparent": incoming} if incoming else {}
    response = await traced_client.get("/whoami", headers=headers)
    echoed = response.headers["traceparent"]
    assert response.json()["traceparent"] == echoed
    assert trace_id_of(echoed) != "0" * 32
    assert current_traceparent() is None  # nothing leaks out of the request


async def test_probes_and_private_feeds_are_not_traced(spans: InMemorySpanExporter) -> None:
    app = FastAPI()

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/feeds/organisations/{token}.ics")
    async def private_feed(token: str) -> dict[str, str]:
        return {"token": token}

    instrument_app(app)
    spans.clear()
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        await http.get("/readyz")
        await http.get("/feeds/organisations/secret-token-value.ics")
    assert spans.get_finished_spans() == ()


# --- metrics ---------------------------------------------------------------------------


def build_metered_app(metrics: Metrics) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    spaces = APIRouter(prefix="/spaces")

    @spaces.get("/{space_id}")
    async def get_space(space_id: int) -> dict[str, int]:
        return {"space_id": space_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    app.include_router(spaces, prefix="/v1")
    app.include_router(metrics_router(metrics))
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def sample(metrics: Metrics, name: str, labels: dict[str, str]) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else float(value)


async def test_metrics_count_requests_by_route_template_not_raw_path() -> None:
    metrics = Metrics()
    transport = httpx.ASGITransport(build_metered_app(metrics), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for space_id in (1, 2, 3):
            assert (await http.get(f"/v1/spaces/{space_id}")).status_code == 200
        assert (await http.get("/v1/spaces/abc")).status_code == 422
        assert (await http.get("/nowhere/7")).status_code == 404
        assert (await http.get("/boom")).status_code == 500
    route_ok = {"method": "GET", "route": "/v1/spaces/{space_id}", "status": "200"}
    assert sample(metrics, "http_requests_total", route_ok) == 3
    assert sample(metrics, "http_request_duration_seconds_count", route_ok) == 3
    invalid = {"method": "GET", "route": "/v1/spaces/{space_id}", "status": "422"}
    assert sample(metrics, "http_requests_total", invalid) == 1
    unmatched = {"method": "GET", "route": UNMATCHED_ROUTE, "status": "404"}
    assert sample(metrics, "http_requests_total", unmatched) == 1
    failed = {"method": "GET", "route": "/boom", "status": "500"}
    assert sample(metrics, "http_requests_total", failed) == 1


async def test_metrics_endpoint_serves_prometheus_text() -> None:
    metrics = Metrics()
    published = metrics.counter("outbox_published_total", "Events published.", ["topic"])
    published.labels(topic="samspill.booking").inc(2)
    transport = httpx.ASGITransport(build_metered_app(metrics))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        await http.get("/v1/spaces/5")
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE http_requests_total counter" in text
    assert 'outbox_published_total{topic="samspill.booking"} 2.0' in text
    assert 'route="/v1/spaces/{space_id}"' in text


def test_each_metrics_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.counter("consumer_processed_total", "Processed.", ["topic"]).labels(topic="t").inc()
    second.counter("consumer_processed_total", "Processed.", ["topic"])
    labels = {"topic": "t"}
    assert sample(first, "consumer_processed_total", labels) == 1
    assert sample(second, "consumer_processed_total", labels) == 0


def test_metric_helpers_return_the_same_collector_for_a_name() -> None:
    metrics = Metrics()
    counter = metrics.counter("loans_total", "Loans.", ["centre"])
    assert metrics.counter("loans_total", "Loans.", ["centre"]) is counter
    histogram = metrics.histogram("relay_batch_seconds", "Relay batch time.", buckets=[0.1, 1])
    assert metrics.histogram("relay_batch_seconds", "Relay batch time.") is histogram
    histogram.observe(0.5)
    assert sample(metrics, "relay_batch_seconds_bucket", {"le": "1.0"}) == 1
    assert sample(metrics, "relay_batch_seconds_bucket", {"le": "0.1"}) == 0
    with pytest.raises(ValueError, match="already a Counter"):
        metrics.histogram("loans_total", "Loans.")


def lag_above(metrics: Metrics, seconds: float) -> float:
    """How many lag samples were longer than `seconds` (a bucket bound)."""
    total = sample(metrics, "event_loop_lag_seconds_count", {})
    within = sample(metrics, "event_loop_lag_seconds_bucket", {"le": str(seconds)})
    return total - within


async def test_event_loop_lag_rises_when_the_loop_is_blocked() -> None:
    metrics = Metrics()
    stop = asyncio.Event()
    task = asyncio.create_task(EventLoopLagMonitor(metrics, interval_s=0.01).run(stop))
    try:

        async def sampled() -> bool:
            return sample(metrics, "event_loop_lag_seconds_count", {}) >= 3

        await eventually(sampled)
        before = lag_above(metrics, 0.25)
        time.sleep(0.4)  # noqa: ASYNC251 - blocking the loop is what is measured

        async def rose() -> bool:
            return lag_above(metrics, 0.25) > before

        await eventually(rose)
        assert sample(metrics, "event_loop_lag_seconds_sum", {}) >= 0.3
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


# --- health ------------------------------------------------------------------------------


async def passing() -> None:
    return None


async def failing() -> None:
    raise ConnectionRefusedError("connection refused on port 6379")


async def hanging() -> None:
    await asyncio.sleep(30)


async def get(checks: ReadinessChecks, path: str) -> httpx.Response:
    app = FastAPI()
    app.include_router(health_router(checks))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get(path)


async def test_healthz_is_ok_even_when_dependencies_fail() -> None:
    checks = ReadinessChecks()
    checks.add("redis", failing)
    response = await get(checks, "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ok_when_every_check_passes() -> None:
    checks = ReadinessChecks()
    checks.add("database", passing)
    checks.add("kafka", passing)
    response = await get(checks, "/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "kafka": "ok"}}


async def test_readyz_names_the_failing_check_and_why() -> None:
    checks = ReadinessChecks()
    checks.add("database", passing)
    checks.add("redis", failing)
    response = await get(checks, "/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert "connection refused" in body["checks"]["redis"]
    assert "redis" in body["detail"]


async def test_readyz_bounds_each_check_by_its_timeout() -> None:
    checks = ReadinessChecks(timeout_seconds=0.1)
    checks.add("kafka", hanging)
    checks.add("database", hanging)
    started = asyncio.get_running_loop().time()
    response = await get(checks, "/readyz")
    assert asyncio.get_running_loop().time() - started < 1.0
    assert response.status_code == 503
    assert response.json()["checks"]["kafka"] == "timed out after 0.1 s"


def test_readiness_default_timeout_is_two_seconds_and_names_are_unique() -> None:
    checks = ReadinessChecks()
    assert checks.timeout_seconds == 2.0
    checks.add("redis", passing)
    with pytest.raises(ValueError, match="already registered"):
        checks.add("redis", passing)
