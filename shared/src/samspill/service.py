"""What every Samspill service is made of, built once: the app factory, its lifespan, workers.

A service describes itself in a `ServiceDefinition` (its tables, migrations, routers, the
topics it publishes and the consumers it runs). `create_app` turns that into a FastAPI app
whose lifespan builds the engine, Redis and token verifier, runs the migrations and (unless
told otherwise) the outbox relay and consumers in the same process. `run_workers` runs the
same workers alone, for deployments that scale them separately.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import structlog
import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from prometheus_client import multiprocess
from redis.asyncio import Redis
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from samspill.access_log import access_log_of, access_log_router, access_log_session_info
from samspill.apidocs import DocsLogin, install_api_docs
from samspill.auth import GrantLoader
from samspill.bodylimit import BodySizeLimitMiddleware, BodyTooLarge, body_too_large_handler
from samspill.consumer import ConsumerRunner, ConsumerSpec
from samspill.db import UnitsOfWork, create_engine, session_factory, units_of_work
from samspill.dlq import redrive_group
from samspill.events.base import TopicContract
from samspill.heap import startup_heap_frozen
from samspill.housekeeping import Retention, housekeeping_jobs
from samspill.idempotency import IdempotencyMiddleware, counts_rate_limit_hit
from samspill.jobs import JobRunner, PeriodicJob
from samspill.kafka import KafkaConfig, broker_answers, ensure_topics
from samspill.messaging import MessagingTables
from samspill.migrations import upgrade
from samspill.monitoring import (
    DependencyMonitor,
    GroupWatch,
    KafkaLagMetrics,
    OutboxBacklogMetrics,
)
from samspill.observability import (
    EventLoopLagMonitor,
    Metrics,
    MetricsMiddleware,
    ReadinessChecks,
    configure_logging,
    health_router,
    metrics_router,
)
from samspill.openapi import install_corrected_openapi
from samspill.outbox import DeadLetterMetrics, OutboxRelay, outbox_session_info
from samspill.privacy import use_marker_key
from samspill.problems import install_problem_handlers
from samspill.process_group import ProcessGroupLock, multiprocess_metrics_dir
from samspill.ratelimit import RateLimiter, RateLimitMiddleware
from samspill.settings import ServiceSettings
from samspill.tokens import TokenVerifier
from samspill.tracing import (
    configure_tracing,
    instrument_app,
    instrument_engine,
    shutdown_tracing,
)

log = structlog.get_logger("samspill.service")

WorkerKind = Literal["relay", "consumer", "scheduler"]
NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class Worker(Protocol):
    async def run(self, stop: asyncio.Event) -> None: ...


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    metadata: MetaData
    messaging: MessagingTables
    migrations_dir: Path
    routers: Sequence[APIRouter] = ()
    publishes: Sequence[TopicContract] = ()
    consumers: Callable[[Runtime], Sequence[ConsumerSpec]] = lambda _: ()
    jobs: Callable[[Runtime], Sequence[PeriodicJob]] = lambda _: ()
    grant_loader: GrantLoader | None = None  # the caller's grants, from the service's tables
    version: str = "0.1.0"

    @property
    def event_source(self) -> str:
        return f"/samspill/{self.name}"


@dataclass
class Runtime:
    """The clients of one running service process, built at start and closed at stop."""

    definition: ServiceDefinition
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    kafka: KafkaConfig
    relay: OutboxRelay | None = None
    consumer_runners: list[ConsumerRunner] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)  # the app's, when an app runs the workers

    @classmethod
    def open(
        cls,
        definition: ServiceDefinition,
        settings: ServiceSettings,
        *,
        connections: int | None = None,
    ) -> Runtime:
        """`connections`: the most database connections this process opens, all kept open
        once opened (default `DATABASE_CONNECTIONS`; an API worker opens its share)."""
        use_marker_key(settings.privacy_marker_key)
        engine = create_engine(
            settings.database_url,
            pool_size=connections or settings.database_connections,
            max_overflow=0,
        )
        instrument_engine(engine)
        kafka = KafkaConfig(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            request_timeout_s=settings.kafka_request_timeout_s,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            partitions=settings.kafka_partitions,
        )
        redis = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        info = {
            **outbox_session_info(settings.outbox_max_event_bytes),
            **access_log_session_info(definition.name),
        }
        sessions = session_factory(engine, info)
        return cls(definition, settings, engine, sessions, redis, kafka)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.redis.aclose()
        await self.engine.dispose()

    def wake_relay(self) -> None:
        """After a commit that published: the relay in this process (if any) looks now."""
        if self.relay is not None:
            self.relay.wake()

    def units_of_work(self) -> UnitsOfWork:
        """New units of work on this service's database that wake its relay on commit."""
        return units_of_work(
            self.sessions,
            self.definition.messaging,
            source=self.definition.event_source,
            on_commit=self.wake_relay,
        )

    def workers(self, kinds: Sequence[WorkerKind]) -> list[Worker]:
        found: list[Worker] = []
        if "relay" in kinds and self.definition.publishes:
            self.relay = OutboxRelay(
                self.sessions,
                self.definition.messaging,
                self.kafka,
                batch_size=self.settings.outbox_batch_size,
                poll_interval_s=self.settings.outbox_poll_interval_s,
                max_attempts=self.settings.outbox_max_attempts,
            )
            found.append(self.relay)
        if "consumer" in kinds:
            self.consumer_runners = [
                ConsumerRunner(
                    spec,
                    self.sessions,
                    self.definition.messaging,
                    self.kafka,
                    source=self.definition.event_source,
                    on_commit=self.wake_relay,
                    max_attempts=self.settings.consumer_max_attempts,
                    retry_base_s=self.settings.consumer_retry_base_s,
                )
                for spec in self.definition.consumers(self)
            ]
            found.extend(self.consumer_runners)
        if "scheduler" in kinds:
            units = self.units_of_work()
            found.extend(JobRunner(job, units, self.metrics) for job in self.jobs())
        return found

    def jobs(self) -> list[PeriodicJob]:
        """The kernel's housekeeping jobs and the service's own."""
        retention = Retention(
            self.settings.outbox_retention_days,
            self.settings.inbox_retention_days,
            access_log_days=self.settings.access_log_retention_days,
        )
        housekeeping = housekeeping_jobs(
            self.definition.name,
            self.definition.messaging,
            retention,
            access_log=access_log_of(self.definition.metadata),
        )
        return [*housekeeping, *self.definition.jobs(self)]

    def topics(self) -> list[str]:
        """Every topic this service writes or reads, dead-letter topics included (and the state
        topics, see `state_topics`)."""
        names = {contract.topic for contract in self.definition.publishes}
        for spec in self.definition.consumers(self):
            names.add(spec.dlq_topic)
            names.update(contract.topic for contract in spec.contracts)
        return sorted(names | set(self.state_topics()))

    def state_topics(self) -> list[str]:
        """The state topics beside the topics this service writes or reads (a rebuild reads
        them)."""
        contracts = [*self.definition.publishes]
        for spec in self.definition.consumers(self):
            contracts.extend(spec.contracts)
        return sorted({c.state_topic for c in contracts if c.state_topic is not None})

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    def dependency_monitor(self, metrics: Metrics) -> DependencyMonitor:
        return DependencyMonitor(
            {"broker": self.check_broker, "redis": self.check_redis},
            metrics,
            interval_s=self.settings.dependency_check_interval_s,
        )

    async def check_redis(self) -> None:
        await self.redis.ping()

    async def check_broker(self) -> None:
        await broker_answers(self.kafka)

    async def migrate(self) -> None:
        await asyncio.to_thread(upgrade, self.definition.migrations_dir, self.settings.database_url)


async def supervise_in_api(runtime: Runtime, stop: asyncio.Event) -> None:
    """The workers of an API process (`RUN_WORKERS_IN_API`). When the API serves with several
    processes, each runs a relay (woken by its own commits; the buckets' advisory locks keep
    every key's events in order between relays) and one at a time, elected by a lock of the
    process group, runs the consumers and the schedulers."""
    if runtime.settings.api_worker_count == 1:
        await supervise(runtime, ["relay", "consumer", "scheduler"], stop)
        return
    await asyncio.gather(supervise(runtime, ["relay"], stop), _when_elected(runtime, stop))


async def _when_elected(runtime: Runtime, stop: asyncio.Event) -> None:
    lock = ProcessGroupLock(runtime.definition.name)
    try:
        if await lock.acquire(stop):
            log.info("service.workers_elected", service=runtime.definition.name, pid=os.getpid())
            await supervise(runtime, ["consumer", "scheduler"], stop)
    finally:
        lock.release()


async def supervise(runtime: Runtime, kinds: Sequence[WorkerKind], stop: asyncio.Event) -> None:
    """Create the topics (retrying while the broker is away), then run the workers."""
    workers = runtime.workers(kinds)
    if not workers:
        return
    delay = 0.5
    while not stop.is_set():
        try:
            await ensure_topics(
                runtime.kafka, runtime.topics(), state_topics=runtime.state_topics()
            )
            break
        except Exception as exc:
            log.warning("service.topics_unavailable", error=repr(exc), retry_in_s=delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 5.0)
    await asyncio.gather(*(worker.run(stop) for worker in workers))


def create_app(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    *,
    migrate: bool | None = None,
    freeze_startup_heap: bool = False,
) -> FastAPI:
    """The service's app; it migrates at start when `migrate` (default MIGRATE_ON_START).
    A process that serves it for its whole life (the `api` command, the uvicorn factory)
    freezes the heap built while starting (`samspill.heap`); tests, which start many apps in
    one process, do not."""
    if migrate is None:
        migrate = settings.migrate_on_start
    checks = ReadinessChecks()
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, settings.log_level, settings.log_json)
        configure_tracing(definition.name, definition.version)
        runtime = Runtime.open(definition, settings, connections=settings.api_connections)
        if migrate:
            await runtime.migrate()
        _install_state(app, runtime, settings, metrics)
        install_runtime_metrics(runtime, metrics)
        if "database" not in checks.names:
            # Ready means "can serve": the broker and Redis are metrics and logs, not checks.
            checks.add("database", runtime.check_database)
        stop = asyncio.Event()
        task = asyncio.create_task(
            supervise_in_api(runtime, stop)
            if settings.run_workers_in_api
            else supervise(runtime, [], stop)
        )
        background = [
            asyncio.create_task(
                EventLoopLagMonitor(metrics, settings.event_loop_lag_interval_s).run(stop)
            ),
            asyncio.create_task(runtime.dependency_monitor(metrics).run(stop)),
        ]
        log.info("service.started", service=definition.name, port=settings.port)
        try:
            with startup_heap_frozen() if freeze_startup_heap else contextlib.nullcontext():
                yield
        finally:
            stop.set()
            await asyncio.gather(*background, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, settings.kafka_request_timeout_s + 5)
            await app.state.token_verifier.aclose()
            await runtime.close()
            shutdown_tracing()
            if multiprocess_metrics_dir() is not None:
                multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
            log.info("service.stopped", service=definition.name)

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # The spans come from the OpenTelemetry instrumentation (`instrument_app`); FastAPI's
        # own telemetry would only step aside for it on every request.
        telemetry=NO_NATIVE_TELEMETRY,
    )
    install_problem_handlers(app)
    app.add_exception_handler(BodyTooLarge, body_too_large_handler)
    app.include_router(health_router(checks))
    app.include_router(metrics_router(metrics))
    for router in definition.routers:
        app.include_router(router)
    if access_log_of(definition.metadata) is not None:
        app.include_router(access_log_router())
    login = docs_login(settings)
    install_corrected_openapi(app, login.discovery_url if login else None)
    install_api_docs(app, login)
    _install_middleware(app, definition, settings, metrics)
    instrument_app(app)
    return app


def docs_login(settings: ServiceSettings) -> DocsLogin | None:
    """Swagger UI signs in at the first configured issuer, when a docs client is set."""
    if not settings.oidc_issuers or not settings.docs_client_id:
        return None
    issuer = settings.oidc_issuers[0]
    return DocsLogin(issuer.issuer, issuer.discovery, settings.docs_client_id)


def _install_state(
    app: FastAPI, runtime: Runtime, settings: ServiceSettings, metrics: Metrics
) -> None:
    state: Any = app.state
    state.runtime = runtime
    state.settings = settings
    state.sessions = runtime.sessions
    state.messaging = runtime.definition.messaging
    state.event_source = runtime.definition.event_source
    state.redis = runtime.redis
    state.metrics = metrics
    runtime.metrics = metrics  # the jobs' runs are counted where /metrics can show them
    state.token_verifier = TokenVerifier(
        settings.oidc_issuers,
        dev_issuer=settings.dev_token_issuer,
        dev_secret=settings.jwt_secret,
        min_key_refresh_s=settings.oidc_min_key_refresh_s,
    )
    state.grant_loader = runtime.definition.grant_loader
    state.rate_limiter = RateLimiter(
        lambda: runtime.redis,
        namespace=f"{runtime.definition.name}:rate",
        limit=settings.rate_limit_per_minute,
        window_seconds=60,
    )


def _install_middleware(
    app: FastAPI, definition: ServiceDefinition, settings: ServiceSettings, metrics: Metrics
) -> None:
    # Added innermost first: a request meets proxy headers → metrics → body limit → rate limit
    # → idempotency, so no body past the limit is read, not even to fingerprint it; all of it
    # inside the request's server span (`instrument_app`, added last, wraps the whole stack).
    state: Any = app.state
    app.add_middleware(
        IdempotencyMiddleware,
        redis_getter=lambda: state.redis,
        namespace=f"{definition.name}:idem",
    )
    # A POST with an Idempotency-Key is counted in the same Redis round trip as its key's claim.
    app.add_middleware(
        RateLimitMiddleware,
        limiter_getter=lambda: state.rate_limiter,
        defer=counts_rate_limit_hit,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if settings.trusted_proxies:
        # The client address (rate limits, logs) comes from X-Forwarded-For only when the
        # peer is a trusted proxy; the `api` command turns the server's own handling off.
        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[str(network) for network in settings.trusted_proxies],
        )


def install_runtime_metrics(runtime: Runtime, metrics: Metrics) -> None:
    """The metrics read at scrape time: outbox backlog and dead letters, consumer lag, DLQ."""
    definition = runtime.definition
    if definition.publishes:
        tables = definition.messaging
        dead_letters = DeadLetterMetrics(runtime.sessions, tables)
        metrics.add_refreshed_collector("outbox_dead_letters", dead_letters, dead_letters.refresh)
        backlog = OutboxBacklogMetrics(runtime.sessions, tables)
        metrics.add_refreshed_collector("outbox_backlog", backlog, backlog.refresh)
    specs = definition.consumers(runtime)
    if specs:
        groups = [GroupWatch(spec.name, [c.topic for c in spec.contracts]) for spec in specs]
        dead = GroupWatch(redrive_group(definition.name), sorted({s.dlq_topic for s in specs}))
        lag = KafkaLagMetrics(runtime.kafka, groups, dead)
        metrics.add_refreshed_collector("kafka_lag", lag, lag.refresh)


def worker_app(runtime: Runtime, metrics: Metrics) -> FastAPI:
    """What a worker process serves: `/healthz`, `/readyz` (its database) and `/metrics`."""
    checks = ReadinessChecks()
    checks.add("database", runtime.check_database)
    app = FastAPI(
        title=f"Samspill {runtime.definition.name} worker",
        docs_url=None,
        redoc_url=None,
        telemetry=NO_NATIVE_TELEMETRY,
    )
    app.include_router(health_router(checks))
    app.include_router(metrics_router(metrics))
    return app


class _WorkerServer(uvicorn.Server):
    """uvicorn inside the worker's loop: the worker's own SIGTERM handling stops it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_until(app: FastAPI, host: str, port: int, stop: asyncio.Event) -> None:
    config = uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="off")
    server = _WorkerServer(config)
    serving = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await serving


async def run_workers(
    definition: ServiceDefinition, settings: ServiceSettings, kinds: Sequence[WorkerKind]
) -> None:
    """Run only the given workers until SIGTERM or SIGINT; unless `WORKER_PORT` is 0 they
    serve `/healthz`, `/readyz` and `/metrics` on it (default: `PORT`)."""
    configure_logging(definition.name, settings.log_level, settings.log_json)
    configure_tracing(definition.name, definition.version)
    runtime = Runtime.open(definition, settings)
    metrics = Metrics()
    runtime.metrics = metrics
    install_runtime_metrics(runtime, metrics)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    port = settings.port if settings.worker_port is None else settings.worker_port
    side = [asyncio.create_task(runtime.dependency_monitor(metrics).run(stop))]
    if port:
        app = worker_app(runtime, metrics)
        side.append(asyncio.create_task(serve_until(app, settings.worker_host, port, stop)))
    log.info("service.workers_started", service=definition.name, kinds=list(kinds), port=port)
    try:
        with startup_heap_frozen():
            await supervise(runtime, kinds, stop)
            await stop.wait()
    finally:
        stop.set()
        await asyncio.gather(*side, return_exceptions=True)
        await runtime.close()
        shutdown_tracing()
