"""The three services as real processes on the test's databases and broker, for end-to-end
tests, with the calls those tests share."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from samspill.db import create_engine
from samspill.infra import Infrastructure, free_port
from samspill.kafka import KafkaConfig
from samspill.processes import ServiceProcess, service_env, stop_all
from samspill.recurrence import OSLO
from samspill.settings import ServiceSettings
from samspill.tokens import mint_dev_token, person_id
from tests.support import eventually

SERVICES = ("facilities", "booking", "notifications")


def token(sub: str, *, admin: bool = False) -> str:
    """A development-key token: identity only (grants are data in the services)."""
    settings = ServiceSettings()
    return mint_dev_token(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub=sub,
        admin=admin,
    )


def person_of(sub: str) -> str:
    return person_id(ServiceSettings().jwt_issuer, sub)


def evening(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), OSLO).isoformat()


@dataclass
class Stack:
    urls: dict[str, str]
    databases: dict[str, str]
    client: httpx.AsyncClient

    def url(self, service: str, path: str) -> str:
        return f"{self.urls[service]}{path}"

    async def call(self, method: str, service: str, path: str, sub_token: str, **kw: Any) -> Any:
        response = await self.request(method, service, path, sub_token, **kw)
        assert response.status_code < 300, f"{method} {service}{path}: {response.text}"
        return response.json() if response.content else None

    async def once_allowed(
        self, method: str, service: str, path: str, sub_token: str, **kw: Any
    ) -> Any:
        """The JSON answer once the call succeeds: for a grant that is still travelling as an
        event to the service asked (e.g. a new membership reaching notifications)."""

        async def answer() -> Any:
            response = await self.request(method, service, path, sub_token, **kw)
            return (response.json() or True) if response.status_code < 300 else None

        return await eventually(answer)

    async def request(
        self, method: str, service: str, path: str, sub_token: str, **kw: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {sub_token}", **kw.pop("headers", {})}
        return await self.client.request(method, self.url(service, path), headers=headers, **kw)

    async def scalar(self, service: str, sql: str) -> Any:
        engine = create_engine(self.databases[service], pool_size=1)
        try:
            async with engine.connect() as connection:
                return (await connection.execute(text(sql))).scalar()
        finally:
            await engine.dispose()


@contextlib.asynccontextmanager
async def stack(
    infra: Infrastructure,
    kafka: KafkaConfig,
    database_factory: Callable[[str], Awaitable[str]],
    smtp_port: int,
    logs: Path,
    *,
    label: str,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[Stack]:
    """The three services on databases named by `label` (one per test), mail to `smtp_port`;
    `env` adds settings for all three (e.g. the identity providers they trust)."""
    common = {
        "OUTBOX_POLL_INTERVAL_S": "0.05",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PER_MINUTE": "100000",
        **(env or {}),
    }
    extra = {
        "notifications": {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "DELIVERY_POLL_INTERVAL_S": "0.05",
        }
    }
    databases = {name: await database_factory(f"{label}_{name}") for name in SERVICES}
    processes = [
        ServiceProcess(
            name,
            free_port(),
            service_env(databases[name], kafka, infra.redis.url, **common, **extra.get(name, {})),
            logs / f"{name}.log",
        )
        for name in SERVICES
    ]
    try:
        for process in processes:
            process.start()
        for process in processes:
            await process.wait_ready(timeout=90)
        async with httpx.AsyncClient(timeout=10) as client:
            yield Stack({p.name: p.url for p in processes}, databases, client)
    finally:
        await asyncio.to_thread(stop_all, processes)


@contextlib.contextmanager
def logs_shown_on_failure(logs: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for log in sorted(logs.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}")
        raise


async def register_school(s: Stack, admin: str) -> tuple[str, str]:
    """Skjetten skole, registered by the admin: (its site id, its facility manager's token)."""
    site = await s.call(
        "POST",
        "facilities",
        "/sites",
        admin,
        json={
            "kind": "school",
            "name": "Skjetten skole",
            "address": "Skjettenveien 1, 2013 Skjetten",
            "district": "skedsmo",
            "contact": {"name": "Skolekontoret", "email": "skjetten.skole@example.no"},
        },
    )
    manager = token("manager-1")
    await s.call(
        "PUT", "facilities", f"/sites/{site['site_id']}/managers/{person_of('manager-1')}", admin
    )
    await granted_in_booking(s, manager, site_ids=[site["site_id"]])
    return site["site_id"], manager


async def granted_in_booking(
    s: Stack, person: str, *, site_ids: list[str] = (), centre_ids: list[str] = ()
) -> None:
    """Wait until booking's read model holds the person's staff grants (facilities' event)."""

    async def applied() -> bool:
        me = await s.call("GET", "booking", "/me", person)
        return set(site_ids) <= set(me["managed_site_ids"]) and set(centre_ids) <= set(
            me["staffed_centre_ids"]
        )

    await eventually(applied)
