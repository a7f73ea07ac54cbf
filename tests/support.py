"""Helpers for service tests: settings on the test infrastructure, an app running in-process."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from samspill.kafka import KafkaConfig
from samspill.settings import ServiceSettings
from samspill.tokens import mint_dev_token, person_id

T = TypeVar("T")


def settings_for(
    name: str, *, database_url: str, kafka: KafkaConfig, redis_url: str, **overrides: object
) -> ServiceSettings:
    """The service's own settings class, pointed at the test infrastructure."""
    module = importlib.import_module(f"{name}.config")
    settings_cls: type[ServiceSettings] = getattr(module, f"{name.capitalize()}Settings")
    values: dict[str, object] = {
        "samspill_env": "test",
        "database_url": database_url,
        "kafka_bootstrap_servers": kafka.bootstrap_servers,
        "redis_url": redis_url,
        "kafka_session_timeout_ms": kafka.session_timeout_ms,
        "kafka_heartbeat_interval_ms": kafka.heartbeat_interval_ms,
        "kafka_request_timeout_s": kafka.request_timeout_s,
        "kafka_partitions": kafka.partitions,
        "outbox_poll_interval_s": 0.05,
        "log_json": False,
        "log_level": "WARNING",
        "rate_limit_per_minute": 100_000,
        **overrides,
    }
    return settings_cls(**values)  # type: ignore[arg-type]


@dataclass
class RunningService:
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings

    def token(
        self, sub: str, *, admin: bool = False, scopes: Sequence[str] | None = None
    ) -> dict[str, str]:
        """Authorization header for `sub` signed with the development key: identity only.

        What the caller may do comes from grants stored as data (memberships, staff grants);
        `admin` puts them in the municipal admin group, `scopes` makes a service account."""
        token = mint_dev_token(
            secret=self.settings.jwt_secret,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            sub=sub,
            admin=admin,
            client_scopes=scopes,
        )
        return {"Authorization": f"Bearer {token}"}

    def person_id(self, sub: str) -> str:
        """Samspill's id of the person `sub` of the development key's issuer."""
        return person_id(self.settings.jwt_issuer, sub)


@contextlib.asynccontextmanager
async def running_service(name: str, settings: ServiceSettings) -> AsyncIterator[RunningService]:
    """Start a service app in this process (lifespan: migrations, relay, consumers)."""
    from samspill.service import create_app

    definition = importlib.import_module(f"{name}.main").definition
    app = create_app(definition, settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as client:
            yield RunningService(app, client, settings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def served_over_http(app: FastAPI) -> AsyncIterator[str]:
    """A running app (lifespan already run) behind the HTTP server the `api` command starts,
    on a free loopback port; yields its base URL."""
    import uvicorn

    from samspill.service_cli import server_config

    config = server_config(app, host="127.0.0.1", port=free_port())
    config.lifespan = "off"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                raise RuntimeError("the HTTP server stopped while starting") from task.exception()
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        await task


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 30.0, interval: float = 0.05
) -> T:
    """Poll until `probe` returns something truthy; fail with the last value on timeout."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: T | None = None
    while asyncio.get_running_loop().time() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last value: {last!r})")
