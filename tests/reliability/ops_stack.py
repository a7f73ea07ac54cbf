"""The three services as real processes for the operations tests (readiness, tracing), and
the few calls those tests make, all as the municipal admin of the development key.

The admin reaches everything with an identity-only token, so these tests depend on no grant
being stored first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx

from samspill.infra import Infrastructure, free_port, start_tansu
from samspill.kafka import KafkaConfig
from samspill.processes import ServiceProcess, service_env, stop_all
from samspill.recurrence import OSLO
from tests.dates import ordinary_dates, today
from tests.reliability.stack import bearer
from tests.reliability.tcp_proxy import TcpProxy, tcp_proxy
from tests.reliability.town import org_number

SERVICES = ("facilities", "booking", "notifications")
DatabaseFactory = Callable[[str], Awaitable[str]]
COMMON_ENV = {
    "OUTBOX_POLL_INTERVAL_S": "0.05",
    "LOG_LEVEL": "INFO",
    "RATE_LIMIT_PER_MINUTE": "1000000",
    "DEPENDENCY_CHECK_INTERVAL_S": "0.5",
}


def admin_token() -> str:
    return bearer("ops-admin", admin=True)


@dataclass
class OpsStack:
    processes: dict[str, ServiceProcess]
    client: httpx.AsyncClient
    token: str

    def url(self, service: str, path: str) -> str:
        return f"{self.processes[service].url}{path}"

    async def request(self, method: str, service: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return await self.client.request(method, self.url(service, path), headers=headers, **kw)

    async def call(self, method: str, service: str, path: str, **kw: Any) -> Any:
        response = await self.request(method, service, path, **kw)
        assert response.status_code < 300, f"{method} {service}{path}: {response.text}"
        return response.json() if response.content else None

    async def metric(self, service: str, name: str, **labels: str) -> float | None:
        """One sample of the service's `/metrics`, or None when it is not exported."""
        text = (await self.client.get(self.url(service, "/metrics"))).text
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
        for line in text.splitlines():
            if line.startswith(prefix):
                return float(line.rsplit(" ", 1)[1])
        return None

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.log_tail(5000)}" for n, p in self.processes.items())


@contextlib.asynccontextmanager
async def ops_stack(
    infra: Infrastructure,
    database_factory: DatabaseFactory,
    kafka: KafkaConfig,
    logs: Path,
    *,
    label: str,
    env: Mapping[str, Mapping[str, str]] | None = None,
) -> AsyncIterator[OpsStack]:
    processes = {}
    for name in SERVICES:
        database_url = await database_factory(f"{label}_{name}")
        extra = {**COMMON_ENV, **(env or {}).get(name, {})}
        redis_url = extra.pop("REDIS_URL", infra.redis.url)
        processes[name] = ServiceProcess(
            name,
            free_port(),
            service_env(database_url, kafka, redis_url, **extra),
            logs / f"{name}.log",
        )
    try:
        for process in processes.values():
            process.start()
        await asyncio.gather(*(p.wait_ready(90) for p in processes.values()))
        async with httpx.AsyncClient(timeout=30) as client:
            yield OpsStack(processes, client, admin_token())
    finally:
        await asyncio.to_thread(stop_all, processes.values())


@contextlib.asynccontextmanager
async def broker_behind_proxy() -> AsyncIterator[tuple[TcpProxy, KafkaConfig]]:
    """An in-memory broker that advertises a proxy the test can cut (clients reconnect to the
    advertised address, so they must all go through the proxy), with short group timings."""
    proxy_port, broker_port = free_port(), free_port()
    broker = await asyncio.to_thread(start_tansu, broker_port, advertised_port=proxy_port)
    try:
        async with tcp_proxy(broker_port, port=proxy_port) as proxy:
            yield (
                proxy,
                KafkaConfig(
                    bootstrap_servers=proxy.address,
                    request_timeout_s=5.0,
                    session_timeout_ms=1000,
                    heartbeat_interval_ms=200,
                    partitions=3,
                ),
            )
    finally:
        await asyncio.to_thread(broker.stop)


# --- what the tests create ------------------------------------------------------------------


async def create_site(stack: OpsStack, name: str) -> str:
    site = await stack.call(
        "POST",
        "facilities",
        "/sites",
        json={
            "kind": "school",
            "name": name,
            "address": "Vollaveien 2, 2000 Lillestrøm",
            "district": "lillestrom",
            "contact": {"name": "Skolekontoret", "email": "post@volla.example"},
        },
    )
    return str(site["site_id"])


async def create_gym(stack: OpsStack, site_id: str) -> str:
    space = await stack.call(
        "POST",
        "facilities",
        "/spaces",
        json={
            "site_id": site_id,
            "name": "Gymsal",
            "kind": "gym",
            "capacity": 60,
            "rules": {"buffer_minutes": 0, "horizon_days": 365, "who_may_book": "everyone"},
        },
    )
    space_id = str(space["space_id"])
    await stack.call(
        "POST",
        "facilities",
        f"/spaces/{space_id}/windows",
        json={
            "weekdays": list(range(7)),
            "start_time": "17:00",
            "end_time": "22:00",
            "valid_from": today().isoformat(),
            "valid_to": (today() + timedelta(days=90)).isoformat(),
        },
    )
    return space_id


async def register_club(stack: OpsStack, seed: int) -> str:
    club = await stack.call(
        "POST",
        "booking",
        "/organisations",
        json={
            "org_number": org_number(30_000 + seed * 37),
            "name": f"Idrettslag {seed}",
            "category": "sports",
            "contact": {"name": "Styret", "email": f"styret{seed}@idrettslag.example"},
        },
    )
    return str(club["id"])


def booking_body(space_id: str, organisation_id: str, days_ahead: int = 3) -> dict[str, Any]:
    day = next(ordinary_dates(days_ahead))
    return {
        "space_id": space_id,
        "organisation_id": organisation_id,
        "activity": "fotball",
        "audience": "children_youth",
        "participants": 14,
        "start": datetime.combine(day, time(18), OSLO).isoformat(),
        "end": datetime.combine(day, time(19), OSLO).isoformat(),
    }
