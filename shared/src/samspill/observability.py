"""Logging, Prometheus metrics and health endpoints (tracing: `samspill.tracing`).

Every log record of the process is one JSON line: structlog's own, and those of the libraries
that log through the standard library (uvicorn, Alembic, aiokafka, SQLAlchemy), rendered by
the same processors, each with the service's name and the current span's trace id. Email
addresses and phone numbers are masked in every value of every line (`redact_personal_data`)
just before it is rendered, whatever logged them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Literal

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
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.problems import problem_response
from samspill.process_group import multiprocess_metrics_dir
from samspill.tracing import add_trace_ids

# --- logging -----------------------------------------------------------------


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    """structlog for the whole process: JSON lines with ISO timestamps and bound context, and
    the standard library's records (uvicorn, Alembic, aiokafka) through the same renderer."""
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service(service),
        add_trace_ids,
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            redact_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_personal_data,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic", "aiokafka"):
        # Their own handlers (if a library set any) would print a second, plain line; a level
        # or a `disabled` flag left by an earlier configuration (Alembic's, uvicorn's) would
        # drop their lines: they follow the root's level.
        library = logging.getLogger(name)
        library.handlers = []
        library.propagate = True
        library.disabled = False
        library.setLevel(logging.NOTSET)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, SecretPathFilter) for f in access.filters):
        access.addFilter(SecretPathFilter())


# Paths whose last segment is a capability (a private feed's token, an invitation's code):
# whoever reads the log must not be able to use them.
_SECRET_PATHS = re.compile(r"(/feeds/(?:organisations|loans)/|/invitations/)[^/?#\s.]+")


def redact_secret_paths(text: str) -> str:
    return _SECRET_PATHS.sub(r"\1…", text)


class SecretPathFilter(logging.Filter):
    """Hides capability tokens in the request lines of uvicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_secret_paths(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        record.msg = redact_secret_paths(str(record.msg))
        return True


# Personal data in log lines: an email address or a phone number anywhere in any value (the
# message, a field, an exception's text, a library's record) is replaced before rendering.
EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

_EMAIL = re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
# A number that stands alone: no letter, digit or `+` right before it, nor a word joined to it by
# `-`, `.` or `/` (a UUID's group, a decimal, a path); no digit group or word right after it.
_ALONE_BEFORE = r"(?<![\w+])(?<!\w[\-./])(?<!\d )"
_ALONE_AFTER = r"(?!\w)(?![\-./]\w)(?! \d)"
_PHONE = re.compile(
    _ALONE_BEFORE
    + r"(?:"
    # with a country code: + or 00, then 7 to 15 digits, grouped by spaces, dashes, dots or ()
    + r"(?:\+|00(?=[1-9]))\(?\d(?:[ \-.()]{0,2}\d){6,14}"
    # Norwegian without one: 8 digits as they are written (91234567, 912 34 567, 91 23 45 67,
    # 9123 4567); a 9-digit organisation number is none of these
    + r"|(?P<national>[2-9]\d{7}|[2-9]\d{2} \d{2} \d{3}|[2-9]\d(?: \d{2}){3}|[2-9]\d{3} \d{4})"
    + r")"
    + _ALONE_AFTER
)


def _is_compact_date(digits: str) -> bool:
    """20260131: eight digits that read as a date (1900-2099) are a date, not a number."""
    if len(digits) != 8 or not digits.startswith(("19", "20")):
        return False
    try:
        datetime.strptime(digits, "%Y%m%d")
    except ValueError:
        return False
    return True


def _mask_phone(match: re.Match[str]) -> str:
    national = match.group("national")
    if national is not None and _is_compact_date(national):
        return national
    return PHONE_MASK


def redact_text(text: str) -> str:
    """`text` with every email address and phone number masked; everything else as it was."""
    if "@" in text:
        text = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE.sub(_mask_phone, text)


_PLAIN = (int, float, bool, type(None))


def redact_value(value: Any) -> Any:
    """A log value with personal data masked: strings, and the strings inside dicts, lists,
    tuples and sets; any other object by its text, only when that text holds something."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    try:
        text = str(value)
    except Exception:
        return value
    masked = redact_text(text)
    return value if masked == text else masked


def redact_personal_data(
    logger: Any, method_name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """structlog processor: masks email addresses and phone numbers in every value."""
    return {key: redact_value(value) for key, value in event_dict.items()}


def _add_service(service: str) -> structlog.typing.Processor:
    def add_service(
        logger: Any, method_name: str, event_dict: structlog.typing.EventDict
    ) -> structlog.typing.EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


# --- Prometheus ----------------------------------------------------------------

GaugeMode = Literal[
    "all", "liveall", "min", "livemin", "max", "livemax", "sum", "livesum", "mostrecent"
]
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

    def gauge(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str] = (),
        *,
        multiprocess_mode: GaugeMode = "max",
    ) -> Gauge:
        """The gauge called `name`, made on first use; later calls return the same one.

        `multiprocess_mode` says how the values of an API's several processes add up into one
        (`max`, `livemin` and so on; see prometheus_client)."""
        existing = self._collectors.get(name)
        if existing is not None:
            if not isinstance(existing, Gauge):
                raise ValueError(f"metric {name!r} is already a {type(existing).__name__}")
            return existing
        gauge = Gauge(
            name,
            documentation,
            list(labels),
            registry=self.registry,
            multiprocess_mode=multiprocess_mode,
        )
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
        """The exposition; in Prometheus' multiprocess mode (an API with several workers) the
        counters, gauges and histograms of all of them, added up from their files, and the
        refreshed collectors (read from the database or the broker, the same in each)."""
        directory = multiprocess_metrics_dir()
        if directory is None:
            data: bytes = generate_latest(self.registry)
            return data
        registry = CollectorRegistry(auto_describe=True)
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        for collector, _ in self._refreshed.values():
            registry.register(collector)
        combined: bytes = generate_latest(registry)
        return combined


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
    """Named checks that must all pass before the service takes traffic (the services check
    their database only: what they can serve without is a metric, see samspill.monitoring)."""

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
