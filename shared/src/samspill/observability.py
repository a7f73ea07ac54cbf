"""Logging, W3C trace context, Prometheus metrics and health endpoints.

The trace context of a request lives in the `current_traceparent` context
variable; the outbox relay writes it into Kafka headers and the consumer runner
restores it with `use_traceparent`, so one trace id follows a booking from the
HTTP request through every event it causes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.registry import Collector
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.problems import problem_response

# --- logging -----------------------------------------------------------------


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    """structlog for the whole process: JSON lines with ISO timestamps and bound context."""
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_service(service),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=numeric_level, force=True)


def _add_service(service: str) -> structlog.typing.Processor:
    def add_service(
        logger: Any, method_name: str, event_dict: structlog.typing.EventDict
    ) -> structlog.typing.EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


# --- W3C trace context ---------------------------------------------------------

_TRACEPARENT = re.compile(
    r"^(?P<version>[0-9a-f]{2})-(?P<trace_id>[0-9a-f]{32})-(?P<parent_id>[0-9a-f]{16})"
    r"-(?P<flags>[0-9a-f]{2})(?P<rest>-.*)?$"
)
_ZERO_TRACE_ID = "0" * 32
_ZERO_SPAN_ID = "0" * 16
SAMPLED = "01"


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    parent_id: str
    flags: str = SAMPLED
    version: str = "00"

    def child(self) -> TraceContext:
        """The same trace with a new span id: the span this process works in."""
        return TraceContext(self.trace_id, new_span_id(), self.flags, "00")

    def header(self) -> str:
        return f"{self.version}-{self.trace_id}-{self.parent_id}-{self.flags}"

    def __str__(self) -> str:
        return self.header()


def new_trace_id() -> str:
    return secrets.token_hex(16)


def new_span_id() -> str:
    return secrets.token_hex(8)


def new_traceparent() -> str:
    return TraceContext(new_trace_id(), new_span_id()).header()


def parse_traceparent(value: str | None) -> TraceContext | None:
    """A valid `traceparent` header, or None (the W3C rule: invalid means start anew)."""
    if value is None:
        return None
    match = _TRACEPARENT.match(value.strip())
    if match is None:
        return None
    version = match["version"]
    # Version 00 has exactly four fields; later versions may append more.
    if version == "ff" or (version == "00" and match["rest"]):
        return None
    if match["trace_id"] == _ZERO_TRACE_ID or match["parent_id"] == _ZERO_SPAN_ID:
        return None
    return TraceContext(match["trace_id"], match["parent_id"], match["flags"], version)


current_traceparent: ContextVar[str | None] = ContextVar("current_traceparent", default=None)


def get_traceparent() -> str | None:
    return current_traceparent.get()


@contextmanager
def use_traceparent(value: str | None) -> Iterator[TraceContext | None]:
    """Work inside `value`'s trace; a missing or invalid value leaves no trace bound."""
    context = parse_traceparent(value)
    token = current_traceparent.set(context.header() if context else None)
    try:
        if context is None:
            yield None
            return
        with structlog.contextvars.bound_contextvars(
            trace_id=context.trace_id, span_id=context.parent_id
        ):
            yield context
    finally:
        current_traceparent.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class TraceMiddleware:
    """Continues the caller's trace (or starts one) and echoes `traceparent` on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = parse_traceparent(_header(scope, b"traceparent"))
        server_span = incoming.child() if incoming else parse_traceparent(new_traceparent())
        assert server_span is not None
        traceparent = server_span.header()

        async def send_with_traceparent(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["traceparent"] = traceparent
            await send(message)

        with use_traceparent(traceparent):
            await self.app(scope, receive, send_with_traceparent)


# --- Prometheus ----------------------------------------------------------------

DEFAULT_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "<unmatched>"
SCRAPE_REFRESH_TIMEOUT_S = 2.0


class Metrics:
    """Prometheus metrics of one app, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._collectors: dict[str, Counter | Gauge | Histogram] = {}
        self._refreshed: dict[str, tuple[Collector, Callable[[], Awaitable[None]]]] = {}
        self.http_requests = self.counter(
            "http_requests_total",
            "HTTP requests by method, route template and status.",
            ("method", "route", "status"),
        )
        self.http_request_duration = self.histogram(
            "http_request_duration_seconds",
            "HTTP request latency by method, route template and status.",
            ("method", "route", "status"),
            buckets=DEFAULT_LATENCY_BUCKETS,
        )

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """The counter called `name`, made on first use; later calls return the same one."""
        existing = self._collectors.get(name)
        if existing is not None:
            if not isinstance(existing, Counter):
                raise ValueError(f"metric {name!r} is already a {type(existing).__name__}")
            return existing
        counter = Counter(name, documentation, list(labels), registry=self.registry)
        self._collectors[name] = counter
        return counter

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        """The gauge called `name`, made on first use; later calls return the same one."""
        existing = self._collectors.get(name)
        if existing is not None:
            if not isinstance(existing, Gauge):
                raise ValueError(f"metric {name!r} is already a {type(existing).__name__}")
            return existing
        gauge = Gauge(name, documentation, list(labels), registry=self.registry)
        self._collectors[name] = gauge
        return gauge

    def histogram(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_LATENCY_BUCKETS,
    ) -> Histogram:
        existing = self._collectors.get(name)
        if existing is not None:
            if not isinstance(existing, Histogram):
                raise ValueError(f"metric {name!r} is already a {type(existing).__name__}")
            return existing
        histogram = Histogram(
            name, documentation, list(labels), registry=self.registry, buckets=tuple(buckets)
        )
        self._collectors[name] = histogram
        return histogram

    def add_refreshed_collector(
        self, name: str, collector: Collector, refresh: Callable[[], Awaitable[None]]
    ) -> None:
        """A collector of values that must be fetched asynchronously (e.g. from the database):
        `refresh` runs before each scrape. Adding the same name again replaces the old one."""
        previous = self._refreshed.pop(name, None)
        if previous is not None:
            self.registry.unregister(previous[0])
        self.registry.register(collector)
        self._refreshed[name] = (collector, refresh)

    async def refresh(self) -> None:
        """Run the collectors' refreshes; one that fails or is slow keeps its last values."""
        for name, (_, refresh) in list(self._refreshed.items()):
            try:
                async with asyncio.timeout(SCRAPE_REFRESH_TIMEOUT_S):
                    await refresh()
            except Exception as exc:
                structlog.get_logger(__name__).warning(
                    "metrics.refresh_failed", collector=name, error=repr(exc)
                )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = {"method": method, "route": route, "status": str(status)}
        self.http_requests.labels(**labels).inc()
        self.http_request_duration.labels(**labels).observe(seconds)

    def render(self) -> bytes:
        data: bytes = generate_latest(self.registry)
        return data


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/spaces/{space_id}`), never the raw path.

    Raw paths would make one time series per id; unmatched paths share one label.
    """
    fastapi_scope = scope.get("fastapi")
    if isinstance(fastapi_scope, dict):
        effective = fastapi_scope.get("effective_route_context")
        path_format = getattr(effective, "path_format", None)
        if isinstance(path_format, str) and path_format:
            return path_format
    route = scope.get("route")
    for attribute in ("path_format", "path"):
        value = getattr(route, attribute, None)
        if isinstance(value, str) and value:
            return value
    return UNMATCHED_ROUTE


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe_request(scope["method"], route_template(scope), status, elapsed)


EVENT_LOOP_LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class EventLoopLagMonitor:
    """Samples how late the event loop wakes a task that slept: the time any request would
    have waited behind whatever held the loop (CPU work, a blocking call)."""

    def __init__(self, metrics: Metrics, interval_s: float = 0.25) -> None:
        self.interval_s = interval_s
        self.lag = metrics.histogram(
            "event_loop_lag_seconds",
            "How much later than asked the event loop woke a sleeping task.",
            buckets=EVENT_LOOP_LAG_BUCKETS,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Sample until `stop` is set."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            asked = loop.time() + self.interval_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
            if not stop.is_set():
                self.lag.observe(max(0.0, loop.time() - asked))


def metrics_router(metrics: Metrics) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", include_in_schema=False)
    async def serve_metrics() -> Response:
        await metrics.refresh()
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return router


# --- health ----------------------------------------------------------------------

ReadinessCheck = Callable[[], Awaitable[None]]
READINESS_TIMEOUT_SECONDS = 2.0


class ReadinessChecks:
    """Named checks that must all pass before the service takes traffic (DB, broker, Redis)."""

    def __init__(self, timeout_seconds: float = READINESS_TIMEOUT_SECONDS) -> None:
        self.timeout_seconds = timeout_seconds
        self._checks: dict[str, ReadinessCheck] = {}

    def add(self, name: str, check: ReadinessCheck) -> None:
        if name in self._checks:
            raise ValueError(f"readiness check {name!r} is already registered")
        self._checks[name] = check

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    async def run(self) -> dict[str, str | None]:
        """Each check's failure reason, or None when it passed; the checks run concurrently."""
        names = list(self._checks)
        outcomes = await asyncio.gather(*(self._run_one(self._checks[name]) for name in names))
        return dict(zip(names, outcomes, strict=True))

    async def _run_one(self, check: ReadinessCheck) -> str | None:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await check()
        except TimeoutError:
            return f"timed out after {self.timeout_seconds:g} s"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        return None


def health_router(checks: ReadinessChecks) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        outcomes = await checks.run()
        failed = {name: reason for name, reason in outcomes.items() if reason is not None}
        if not failed:
            return JSONResponse({"status": "ok", "checks": {name: "ok" for name in outcomes}})
        structlog.get_logger(__name__).warning("health.not_ready", failed=failed)
        return problem_response(
            503,
            "Service Unavailable",
            "Not ready: " + "; ".join(f"{name} ({reason})" for name, reason in failed.items()),
            code="not-ready",
            detail_nb="Tjenesten er ikke klar: " + ", ".join(failed) + ".",
            instance="/readyz",
            checks={name: reason or "ok" for name, reason in outcomes.items()},
            failed=sorted(failed),
        )

    return router
