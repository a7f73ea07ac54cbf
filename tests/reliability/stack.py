"""The three services as real processes on one broker, PostgreSQL and Redis, for tests that
kill, restart and cut them off.

Each service runs as `python -m <service> api --host 127.0.0.1 --port P` with its own database,
the test timings for Kafka groups and a rate limit no load test reaches. `Stack` reaches them
over HTTP, reads their databases directly (invariants are checked on what is stored, never on
logs), kills one with SIGKILL and starts it again. `broker_behind_proxy` starts an in-memory
broker that advertises a `TcpProxy` in front of it, so every client, after bootstrap too, goes
through the proxy the test cuts and restores.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import TopicPartition
from sqlalchemy import RowMapping, text
from sqlalchemy.ext.asyncio import AsyncEngine

from samspill.db import create_engine
from samspill.events.base import Envelope, TopicContract
from samspill.infra import Infrastructure, free_port, start_tansu
from samspill.kafka import KafkaConfig, new_consumer, start_client, stop_client
from samspill.processes import ServiceProcess, service_env, stop_all
from samspill.settings import ServiceSettings
from samspill.tokens import mint_dev_token, person_id
from tests.reliability.tcp_proxy import TcpProxy, tcp_proxy

SERVICES = ("facilities", "booking", "notifications")
DatabaseFactory = Callable[[str], Awaitable[str]]
# Besides database, broker and Redis: quick outbox polling, plain logs, no rate limit reached.
TEST_ENV = {
    "OUTBOX_POLL_INTERVAL_S": "0.05",
    "LOG_LEVEL": "WARNING",
    "LOG_JSON": "false",
    "RATE_LIMIT_PER_MINUTE": "1000000",
}


def bearer(sub: str, *, admin: bool = False) -> str:
    """A development-key token every test process shares: identity only (grants are data)."""
    settings = ServiceSettings()
    return mint_dev_token(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub=sub,
        admin=admin,
    )


def person_of(sub: str) -> str:
    """The person id of `sub` at the development key's issuer."""
    return person_id(ServiceSettings().jwt_issuer, sub)


def kafka_for_tests(bootstrap_servers: str, partitions: int = 3) -> KafkaConfig:
    """The group timings of the test suite: a consumer rejoins within about a second."""
    return KafkaConfig(
        bootstrap_servers=bootstrap_servers,
        request_timeout_s=5.0,
        session_timeout_ms=1000,
        heartbeat_interval_ms=200,
        partitions=partitions,
    )


async def read_until_quiet(
    kafka: KafkaConfig, contract: TopicContract, quiet_s: float = 1.5, limit_s: float = 60
) -> list[Envelope]:
    consumer = new_consumer(kafka, group_id=None)
    await start_client(consumer, kafka.request_timeout_s)
    envelopes: list[Envelope] = []
    try:
        await asyncio.wait_for(consumer.topics(), kafka.request_timeout_s)
        numbers = sorted(consumer.partitions_for_topic(contract.topic) or ())
        partitions = [TopicPartition(contract.topic, number) for number in numbers]
        consumer.assign(partitions)
        await asyncio.wait_for(consumer.seek_to_beginning(*partitions), kafka.request_timeout_s)
        loop = asyncio.get_running_loop()
        deadline, quiet_since = loop.time() + limit_s, loop.time()
        while loop.time() - quiet_since < quiet_s:
            assert loop.time() < deadline, f"{contract.topic} did not go quiet in {limit_s} s"
            batches = await asyncio.wait_for(
                consumer.getmany(timeout_ms=200), kafka.request_timeout_s
            )
            for records in batches.values():
                envelopes.extend(contract.decode(r.headers, r.value) for r in records)
                quiet_since = loop.time()
    finally:
        await stop_client(consumer, kafka.request_timeout_s)
    return envelopes


class Database:
    """Plain SQL on one service's database, for waiting and for the invariant checks."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_size=2)
        return self._engine

    async def rows(self, sql: str, **params: Any) -> list[RowMapping]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).mappings().all())

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


@dataclass
class Stack:
    services: dict[str, ServiceProcess]
    databases: dict[str, Database]
    client: httpx.AsyncClient
    kafka: KafkaConfig
    urls: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.urls = {name: process.url for name, process in self.services.items()}

    def url(self, service: str, path: str) -> str:
        return f"{self.urls[service]}{path}"

    async def request(
        self, method: str, service: str, path: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.client.request(method, self.url(service, path), headers=headers, **kw)

    async def call(self, method: str, service: str, path: str, token: str, **kw: Any) -> Any:
        """A request that must succeed; its JSON answer."""
        response = await self.request(method, service, path, token, **kw)
        assert response.status_code < 300, f"{method} {service}{path}: {response.text}"
        return response.json() if response.content else None

    def db(self, service: str) -> Database:
        return self.databases[service]

    async def ready(self, service: str, timeout: float = 90) -> None:
        """Until `/readyz` answers 200 (migrations done, database reached)."""
        await self.services[service].wait_ready(timeout)

    async def kill(self, service: str) -> None:
        await asyncio.to_thread(self.services[service].kill)

    async def restart(self, service: str) -> None:
        process = self.services[service]
        await asyncio.to_thread(process.stop)
        process.start()
        await self.ready(service)

    async def read_topic(self, contract: TopicContract, quiet_s: float = 1.5) -> list[Envelope]:
        """Every event on the contract's topic, duplicates included, read from the start of
        each partition until no record came for `quiet_s`.

        Not up to the end offsets the broker reports: after connections were aborted during
        produce requests, the embedded broker reports end offsets below records it already
        serves, and a reader that trusts them stops short.
        """
        return await read_until_quiet(self.kafka, contract, quiet_s)

    def logs(self, size: int = 6000) -> str:
        return "\n".join(
            f"--- {name}.log\n{process.log_tail(size)}" for name, process in self.services.items()
        )


@contextlib.asynccontextmanager
async def running_stack(
    infra: Infrastructure,
    database_factory: DatabaseFactory,
    kafka: KafkaConfig,
    logs: Path,
    *,
    smtp_port: int | None = None,
    label: str = "rel",
    services: Sequence[str] = SERVICES,
    env: Mapping[str, Mapping[str, str]] | None = None,
) -> AsyncIterator[Stack]:
    """Start the services (each on its own new database) and wait until all are ready."""
    processes: dict[str, ServiceProcess] = {}
    databases: dict[str, Database] = {}
    for name in services:
        database_url = await database_factory(f"{label}_{name}")
        extra = dict((env or {}).get(name, {}))
        if name == "notifications" and smtp_port is not None:
            extra = {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "DELIVERY_POLL_INTERVAL_S": "0.05",
                **extra,
            }
        processes[name] = ServiceProcess(
            name,
            free_port(),
            service_env(database_url, kafka, infra.redis.url, **TEST_ENV, **extra),
            logs / f"{name}.log",
        )
        databases[name] = Database(database_url)
    try:
        for process in processes.values():
            process.start()
        async with httpx.AsyncClient(timeout=30) as client:
            stack = Stack(processes, databases, client, kafka)
            await asyncio.gather(*(stack.ready(name) for name in processes))
            yield stack
    finally:
        await asyncio.to_thread(stop_all, processes.values())
        for database in databases.values():
            await database.close()


@contextlib.contextmanager
def logs_on_failure(logs: Path) -> Iterator[None]:
    """Print the tail of every service log when the block fails, for the CI output."""
    try:
        yield
    except BaseException:
        for log in sorted(logs.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-8000:]}")
        raise


# --- a broker the test can cut off ----------------------------------------------------------


@contextlib.asynccontextmanager
async def broker_behind_proxy(partitions: int = 3) -> AsyncIterator[tuple[TcpProxy, KafkaConfig]]:
    """An in-memory Tansu broker that advertises the proxy's address, and the proxy.

    Kafka clients connect to the address the broker advertises after the bootstrap request,
    so the broker must name the proxy, or the clients would go around it.
    """
    proxy_port, broker_port = free_port(), free_port()
    broker = await asyncio.to_thread(start_tansu, broker_port, advertised_port=proxy_port)
    try:
        async with tcp_proxy(broker_port, port=proxy_port) as proxy:
            yield proxy, kafka_for_tests(proxy.address, partitions)
    finally:
        await asyncio.to_thread(broker.stop)
