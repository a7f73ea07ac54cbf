"""A service as a real child process: `python -m <service> api` on a port of its own.

`make dev`, the benchmarks and the process-level tests all start the services this way, wait
for `/readyz`, and stop them (SIGTERM, then SIGKILL after a grace period) or kill them outright.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from samspill.kafka import KafkaConfig

STOP_GRACE_S = 20.0
KILL_WAIT_S = 10.0


class ServiceNotReady(RuntimeError):
    """The service exited, or did not answer `/readyz` in time; carries its log tail."""

    def __init__(self, name: str, reason: str, returncode: int | None, log_tail: str) -> None:
        super().__init__(f"{name} {reason}\n{log_tail}")
        self.name = name
        self.reason = reason
        self.returncode = returncode
        self.log_tail = log_tail


def service_env(
    database_url: str,
    kafka: KafkaConfig | str,
    redis_url: str,
    *,
    environment: str = "test",
    **extra: str,
) -> dict[str, str]:
    """The settings a service process reads from its environment, `extra` on top.

    `kafka` as a bare bootstrap address leaves the group timings at the service's defaults;
    a `KafkaConfig` passes its timings and partition count on.
    """
    env = {
        "SAMSPILL_ENV": environment,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    if isinstance(kafka, str):
        env["KAFKA_BOOTSTRAP_SERVERS"] = kafka
    else:
        env |= {
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "KAFKA_REQUEST_TIMEOUT_S": str(kafka.request_timeout_s),
            "KAFKA_SESSION_TIMEOUT_MS": str(kafka.session_timeout_ms),
            "KAFKA_HEARTBEAT_INTERVAL_MS": str(kafka.heartbeat_interval_ms),
            "KAFKA_PARTITIONS": str(kafka.partitions),
        }
    return env | extra


@dataclass
class ServiceProcess:
    """One service process; it can be started again after it was stopped or killed.

    Its output goes to `log_path`, appended to, with a `--- start N` line before each start.
    `own_session` puts it in a session of its own, so a Ctrl-C in the terminal reaches only
    the parent, which then stops it in order.
    """

    name: str
    port: int
    env: Mapping[str, str]
    log_path: Path
    own_session: bool = False
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} has not been started")
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        command = [sys.executable, "-m", self.name, "api", "--host", self.host]
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts + 1}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                env={**os.environ, **self.env, "PORT": str(self.port)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=self.own_session,
            )
        self.starts += 1

    async def wait_ready(self, timeout: float = 90.0, interval: float = 0.2) -> None:
        """Until `/readyz` answers 200 (migrations done, database reached).

        Raises `ServiceNotReady` as soon as the process exits, or after `timeout` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                if not self.running:
                    reason = f"exited with {self.returncode}"
                    raise ServiceNotReady(self.name, reason, self.returncode, self.log_tail())
                if await self._answers_ready(client):
                    return
                if loop.time() >= deadline:
                    reason = f"not ready at {self.url} after {timeout:.0f} s"
                    raise ServiceNotReady(self.name, reason, None, self.log_tail())
                await asyncio.sleep(interval)

    async def _answers_ready(self, client: httpx.AsyncClient) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return (await client.get(f"{self.url}/readyz")).status_code == 200
        return False

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, no goodbye to the broker."""
        if self.process is not None and self.running:
            self.process.kill()
            self.process.wait(timeout=KILL_WAIT_S)

    def terminate(self) -> None:
        """SIGTERM, without waiting: the service shuts down in order."""
        if self.process is not None and self.running:
            self.process.terminate()

    def wait_or_kill(self, grace: float = STOP_GRACE_S) -> None:
        """Wait up to `grace` seconds for the process to exit, then kill it."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM, and SIGKILL when the process has not exited after `grace` seconds."""
        self.terminate()
        self.wait_or_kill(grace)

    def log_tail(self, size: int = 6000) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-size:]


def stop_all(services: Iterable[ServiceProcess], grace: float = STOP_GRACE_S) -> None:
    """Stop several services at once: all get SIGTERM first, so their grace periods overlap."""
    services = list(services)
    for service in services:
        service.terminate()
    for service in services:
        service.wait_or_kill(grace)
