"""Logging setup, W3C trace context, Prometheus metrics and health endpoints."""

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
from hypothesis import given
from hypothesis import strategies as st

from samspill.observability import (
    UNMATCHED_ROUTE,
    EventLoopLagMonitor,
    Metrics,
    MetricsMiddleware,
    ReadinessChecks,
    TraceContext,
    TraceMiddleware,
    configure_logging,
    get_traceparent,
    health_router,
    metrics_router,
    new_traceparent,
    parse_traceparent,
    use_traceparent,
)
from samspill.problems import install_problem_handlers
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


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_honours_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("facilities", level="debug")
    structlog.get_logger("test").debug("space.checked")
    entry = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert entry["event"] == "space.checked"
    assert entry["level"] == "debug"


# --- trace context ----------------------------------------------------------------------


def test_parse_traceparent_reads_the_four_fields() -> None:
    context = parse_traceparent(VALID)
    assert context == TraceContext(
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
        parent_id="00f067aa0ba902b7",
        flags="01",
        version="00",
    )
    assert context is not None
    assert context.header() == VALID


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ],
)
def test_parse_traceparent_refuses_invalid_values(value: str | None) -> None:
    assert parse_traceparent(value) is None


def test_future_versions_may_carry_more_fields() -> None:
    context = parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more")
    assert context is not None
    assert context.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_new_traceparent_is_valid_and_fresh() -> None:
    made = [new_traceparent() for _ in range(100)]
    assert len(set(made)) == len(made)
    for value in made:
        parsed = parse_traceparent(value)
        assert parsed is not None
        assert parsed.header() == value
        assert parsed.flags == "01"


@given(
    trace_id=st.from_regex(r"\A[0-9a-f]{32}\Z").filter(lambda value: set(value) != {"0"}),
    parent_id=st.from_regex(r"\A[0-9a-f]{16}\Z").filter(lambda value: set(value) != {"0"}),
    flags=st.sampled_from(["00", "01"]),
)
def test_header_and_parse_round_trip(trace_id: str, parent_id: str, flags: str) -> None:
    header = TraceContext(trace_id, parent_id, flags).header()
    assert parse_traceparent(header) == TraceContext(trace_id, parent_id, flags)


def test_child_keeps_the_trace_and_gets_a_new_span() -> None:
    parent = parse_traceparent(VALID)
    assert parent is not None
    child = parent.child()
    assert child.trace_id == parent.trace_id
    assert child.parent_id != parent.parent_id
    assert child.flags == parent.flags


def test_use_traceparent_sets_and_restores_the_context() -> None:
    assert get_traceparent() is None
    with use_traceparent(VALID) as context:
        assert context is not None
        assert get_traceparent() == VALID
        bound = structlog.contextvars.get_contextvars()
        assert bound["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
        with use_traceparent(None):
            assert get_traceparent() is None
        assert get_traceparent() == VALID
    assert get_traceparent() is None
    assert "trace_id" not in structlog.contextvars.get_contextvars()


async def test_trace_context_follows_into_concurrent_tasks_separately() -> None:
    seen: dict[str, str | None] = {}

    async def work(name: str, value: str) -> None:
        with use_traceparent(value):
            await asyncio.sleep(0.01)
            seen[name] = get_traceparent()

    one, two = new_traceparent(), new_traceparent()
    await asyncio.gather(work("one", one), work("two", two))
    assert seen == {"one": one, "two": two}


def build_traced_app() -> FastAPI:
    app = FastAPI()

    @app.get("/whoami")
    async def whoami() -> dict[str, object]:
        return {
            "traceparent": get_traceparent(),
            "trace_id": structlog.contextvars.get_contextvars().get("trace_id"),
        }

    app.add_middleware(TraceMiddleware)
    return app


@pytest.fixture
async def traced_client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(build_traced_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_trace_middleware_continues_the_callers_trace(
    traced_client: httpx.AsyncClient,
) -> None:
    response = await traced_client.get("/whoami", headers={"traceparent": VALID})
    echoed = parse_traceparent(response.headers["traceparent"])
    assert echoed is not None
    assert echoed.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert echoed.parent_id != "00f067aa0ba902b7"
    body = response.json()
    assert body["traceparent"] == response.headers["traceparent"]
    assert body["trace_id"] == echoed.trace_id


@pytest.mark.parametrize("incoming", [None, "not-a-traceparent"])
async def test_trace_middleware_starts_a_trace_when_none_is_valid(
    traced_client: httpx.AsyncClient, incoming: str | None
) -> None:
    headers = {"traceparent": incoming} if incoming else {}
    response = await traced_client.get("/whoami", headers=headers)
    echoed = parse_traceparent(response.headers["traceparent"])
    assert echoed is not None
    assert response.json()["traceparent"] == echoed.header()
    assert get_traceparent() is None


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
