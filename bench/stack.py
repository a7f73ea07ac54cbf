"""The stack under measurement: the three services as real processes on their own databases.

Each service runs as `python -m <service> api` with its own database (created here, dropped at
the end), the resolved broker and Redis, a rate limit high enough never to answer 429, and an
SMTP sink so the notifications delivery worker sends its mail somewhere real. A sampler reads
each process's resident memory (RSS) while the benchmarks run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import psutil
from aiosmtpd.controller import Controller

from samspill.infra import Infrastructure, drop_database, ensure_database, free_port
from samspill.kafka import KafkaConfig
from samspill.processes import ServiceNotReady, ServiceProcess, service_env, stop_all
from samspill.settings import ServiceSettings
from samspill.tokens import mint_dev_token, person_id

SERVICES = ("facilities", "booking", "notifications")
READY_TIMEOUT_S = 120.0
MB = 1024 * 1024

# What every service gets besides its database; production defaults otherwise: as many API
# workers as production runs on this machine (one per CPU), which `SAMSPILL_ENV=test` alone
# would leave at one.
COMMON_ENV = {
    "LOG_LEVEL": "WARNING",
    "RATE_LIMIT_PER_MINUTE": "100000000",
    "API_WORKERS": str(len(os.sched_getaffinity(0))),
}


class BenchError(RuntimeError):
    """The stack refused a request the data set needs, or did not come up."""


class SmtpSink:
    """Accepts and counts mail, so message delivery runs as it would in production."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received += 1
        return "250 Message accepted for delivery"


@dataclass
class MemorySampler:
    """Peak RSS per service process, overall and per benchmark phase."""

    pids: Mapping[str, int]
    interval_s: float = 0.2
    phase: str = "start"
    baseline_mb: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    phase_peak_mb: dict[str, dict[str, float]] = field(default_factory=dict)

    def sample(self) -> None:
        for name, pid in self.pids.items():
            with contextlib.suppress(psutil.Error):
                rss = _rss_mb(pid)
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), rss)
                per_phase = self.phase_peak_mb.setdefault(self.phase, {})
                per_phase[name] = max(per_phase.get(name, 0.0), rss)

    def cpu_seconds(self) -> dict[str, float]:
        """User plus system CPU time each service has used so far: its process and its
        workers (those running and those that ended)."""
        used: dict[str, float] = {}
        for name, pid in self.pids.items():
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(pid)
                times = process.cpu_times()
                total = times.user + times.system + times.children_user + times.children_system
                for child in process.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        own = child.cpu_times()
                        total += own.user + own.system
                used[name] = total
        return used

    def mark_baseline(self) -> None:
        for name, pid in self.pids.items():
            with contextlib.suppress(psutil.Error):
                self.baseline_mb[name] = _rss_mb(pid)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)

    def figures(self) -> dict[str, Any]:
        return {
            name: {
                "idle_mb": round(self.baseline_mb.get(name, 0.0), 1),
                "peak_mb": round(self.peak_mb.get(name, 0.0), 1),
                "peak_by_phase_mb": {
                    phase: round(peaks[name], 1)
                    for phase, peaks in self.phase_peak_mb.items()
                    if name in peaks
                },
            }
            for name in self.pids
        }


def _rss_mb(pid: int) -> float:
    """The resident memory of a service: its process and its workers together."""
    process = psutil.Process(pid)
    rss = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            rss += child.memory_info().rss
    return rss / MB


@dataclass
class Stack:
    urls: dict[str, str]
    database_urls: dict[str, str]
    processes: dict[str, ServiceProcess]
    logs: Path
    redis_url: str
    kafka_url: str
    smtp: SmtpSink
    settings: ServiceSettings = field(default_factory=ServiceSettings)

    def token(self, sub: str, *, admin: bool = False) -> str:
        """A development-key token: identity only; grants are made through the APIs."""
        return mint_dev_token(
            secret=self.settings.jwt_secret,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            sub=sub,
            admin=admin,
            ttl=timedelta(hours=2),
        )

    def person_id(self, sub: str) -> str:
        return person_id(self.settings.jwt_issuer, sub)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def log_tail(self, characters: int = 3000) -> str:
        return "\n".join(
            f"--- {name}\n{process.log_tail(characters)}"
            for name, process in self.processes.items()
            if process.log_path.exists()
        )


@contextlib.asynccontextmanager
async def smtp_sink() -> AsyncIterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        yield sink, port
    finally:
        await asyncio.to_thread(controller.stop)


@contextlib.asynccontextmanager
async def databases(infra: Infrastructure, labels: Iterable[str]) -> AsyncIterator[dict[str, str]]:
    """One fresh database per label (`bench_<label>_<run>`), dropped afterwards."""
    run = uuid.uuid4().hex[:8]
    names = {label: f"bench_{label}_{run}" for label in labels}
    urls: dict[str, str] = {}
    try:
        for label, name in names.items():
            urls[label] = await ensure_database(infra.postgres.url, name)
        yield urls
    finally:
        for label in urls:
            with contextlib.suppress(Exception):
                await drop_database(infra.postgres.url, names[label])


@contextlib.asynccontextmanager
async def running_stack(infra: Infrastructure, kafka_url: str) -> AsyncIterator[Stack]:
    """Databases, SMTP sink and the three service processes, all stopped and removed after."""
    logs = Path(tempfile.mkdtemp(prefix="samspill-bench-"))
    async with smtp_sink() as (sink, smtp_port), databases(infra, SERVICES) as urls:
        extra = {
            "notifications": {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMTP_START_TLS": "false",  # the sink speaks plain SMTP
            }
        }
        # Shorter group timings than Apache Kafka's defaults, long enough not to rebalance.
        kafka = KafkaConfig(kafka_url, session_timeout_ms=6000, heartbeat_interval_ms=1000)
        processes = {
            name: ServiceProcess(
                name,
                free_port(),
                service_env(
                    urls[name], kafka, infra.redis.url, **COMMON_ENV, **extra.get(name, {})
                ),
                logs / f"{name}.log",
            )
            for name in SERVICES
        }
        stack = Stack(
            urls={name: process.url for name, process in processes.items()},
            database_urls=urls,
            processes=processes,
            logs=logs,
            redis_url=infra.redis.url,
            kafka_url=kafka_url,
            smtp=sink,
        )
        finished = False
        try:
            for process in processes.values():
                process.start()
            await _wait_ready(stack)
            yield stack
            finished = True
        finally:
            stop_all(processes.values())
            if finished:  # logs are kept when something failed
                shutil.rmtree(logs, ignore_errors=True)


async def _wait_ready(stack: Stack) -> None:
    for process in stack.processes.values():
        try:
            await process.wait_ready(READY_TIMEOUT_S)
        except ServiceNotReady as exc:
            raise BenchError(f"{exc.name} {exc.reason}\n{stack.log_tail()}") from None
