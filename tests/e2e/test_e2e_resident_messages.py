"""End to end: a resident's own booking, with the three services as real processes.

A resident books the school's small hall for a birthday, giving an email address: the
confirmation reaches a real SMTP server; a claim of the non-profit price is refused and stores
nothing; the school closes the hall that evening and the cancellation reaches the resident.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from samspill.auth import mint_token
from samspill.db import create_engine
from samspill.infra import Infrastructure, free_port
from samspill.kafka import KafkaConfig
from samspill.processes import ServiceProcess, service_env, stop_all
from samspill.recurrence import OSLO
from samspill.settings import ServiceSettings
from tests.dates import ordinary_day
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

SERVICES = ("facilities", "booking", "notifications")
RESIDENT = "resident-e2e"
FAMILY_EMAIL = "familien.berg@example.no"
NON_PROFIT_ORE, PRIVATE_ORE = 30_000, 80_000  # per hour


def token(sub: str, roles: list[str], **claims: list[str]) -> str:
    settings = ServiceSettings()
    return mint_token(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub=sub,
        roles=roles,
        **claims,
    )


def evening(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), OSLO).isoformat()


@dataclass
class Stack:
    urls: dict[str, str]
    databases: dict[str, str]
    client: httpx.AsyncClient

    async def call(self, method: str, service: str, path: str, sub_token: str, **kw: Any) -> Any:
        response = await self.request(method, service, path, sub_token, **kw)
        assert response.status_code < 300, f"{method} {service}{path}: {response.text}"
        return response.json() if response.content else None

    async def request(
        self, method: str, service: str, path: str, sub_token: str, **kw: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {sub_token}"}
        return await self.client.request(
            method, f"{self.urls[service]}{path}", headers=headers, **kw
        )

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
) -> AsyncIterator[Stack]:
    common = {
        "OUTBOX_POLL_INTERVAL_S": "0.05",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PER_MINUTE": "100000",
    }
    extra = {
        "notifications": {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "DELIVERY_POLL_INTERVAL_S": "0.05",
        }
    }
    databases = {name: await database_factory(f"e2e_resident_{name}") for name in SERVICES}
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


async def test_e2e_resident_is_told_of_booking_and_closure(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with (
        smtp_server(mailbox) as smtp_port,
        stack(infra, isolated_kafka, database_factory, smtp_port, tmp_path) as s,
    ):
        try:
            await _scenario(s, mailbox)
        except BaseException:
            for log in sorted(tmp_path.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}")
            raise


async def _scenario(s: Stack, mailbox: Mailbox) -> None:
    admin = token("admin-1", ["admin"])
    today = datetime.now(OSLO).date()
    day = ordinary_day(start=today + timedelta(days=10))
    space_id, manager = await _small_hall(s, admin, today, day)
    resident = token(RESIDENT, ["resident"])

    # The resident books privately and is told at the address given.
    wanted = _birthday(space_id, day, "private")
    booking = await eventually(lambda: _booked(s, resident, wanted), timeout=30, interval=0.2)
    assert booking["price_ore"] == 2 * PRIVATE_ORE, booking
    confirmed = await eventually(lambda: _mail(mailbox, "er bekreftet"), timeout=20)
    assert "Lillesalen" in confirmed

    # The non-profit price is refused, and nothing more is booked.
    claim = {**_birthday(space_id, day, "non_profit"), "start": evening(day, 20)}
    claim["end"] = evening(day, 21)
    refused = await s.request("POST", "booking", "/bookings", resident, json=claim)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    own = await s.call("GET", "booking", "/bookings", resident)
    assert [b["booking_id"] for b in own] == [booking["booking_id"]]

    # The school closes the hall that evening: the cancellation reaches the resident.
    await s.call(
        "POST",
        "facilities",
        "/closures",
        manager,
        json={
            "space_id": space_id,
            "start": evening(day, 17),
            "end": evening(day, 22),
            "reason": "own_event",
            "note": "Foreldremøte",
        },
    )
    cancelled = await eventually(lambda: _mail(mailbox, "er avlyst"), timeout=30)
    assert "fordi lokalet er stengt (Foreldremøte)" in cancelled
    told = await s.call("GET", "notifications", "/messages", resident)
    assert {(m["kind"], m["status"]) for m in told} >= {
        ("booking_confirmed", "sent"),
        ("booking_cancelled", "sent"),
    }, told


async def _small_hall(s: Stack, admin: str, today: date, day: date) -> tuple[str, str]:
    """A school's small hall anyone may book, priced 300 kr non-profit and 800 kr private."""
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
    manager = token("manager-1", ["facility_manager"], site_ids=[site["site_id"]])
    hall = await s.call(
        "POST",
        "facilities",
        "/spaces",
        manager,
        json={
            "site_id": site["site_id"],
            "name": "Lillesalen",
            "kind": "auditorium",
            "capacity": 60,
            "rules": {"who_may_book": "everyone"},
        },
    )
    space_id = str(hall["space_id"])
    for category, rate in (("non_profit", NON_PROFIT_ORE), ("private", PRIVATE_ORE)):
        await s.call(
            "POST",
            "facilities",
            "/price-rules",
            admin,
            json={"space_id": space_id, "category": category, "hourly_rate_ore": rate},
        )
    await s.call(
        "POST",
        "facilities",
        f"/spaces/{space_id}/windows",
        manager,
        json={
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "start_time": "17:00",
            "end_time": "22:00",
            "valid_from": today.isoformat(),
            "valid_to": (day + timedelta(weeks=2)).isoformat(),
        },
    )

    async def priced() -> bool:
        rules = await s.scalar("booking", "SELECT count(*) FROM read_price_rule")
        return bool(rules == 2)

    await eventually(priced, timeout=30, interval=0.2)
    return space_id, manager


def _birthday(space_id: str, day: date, audience: str) -> dict[str, Any]:
    return {
        "space_id": space_id,
        "activity": "bursdagsfeiring",
        "audience": audience,
        "participants": 15,
        "start": evening(day, 18),
        "end": evening(day, 20),
        "contact": {"name": "Familien Berg", "email": FAMILY_EMAIL},
    }


async def _booked(s: Stack, resident: str, body: dict[str, Any]) -> dict[str, Any] | None:
    response = await s.request("POST", "booking", "/bookings", resident, json=body)
    return dict(response.json()) if response.status_code == 201 else None


async def _mail(mailbox: Mailbox, text_in_body: str) -> str | None:
    return next((b for b in mailbox.bodies(FAMILY_EMAIL) if text_in_body in b), None)
