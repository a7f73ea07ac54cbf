"""The portal's page figure: p95 of its main pages under the bench data set, beside the target.

The portal runs as a real process (`python -m portal api`) against the stack's three services
and Redis, after the other measurements. "My page" is measured logged in: the session a login
would leave is put into Redis directly (the bench has no identity provider), holding a
development-key token of the data set's first club's administrator, who also gets a profile.

The pages are a data list: add a `PortalPage` when a page joins the journeys. A page that
answers 404 on this build (a journey not there yet) is reported as missing, not measured.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

from bench.dataset import DataSet
from bench.measure import Job, Timing, run_sequentially
from bench.scale import Scale
from bench.stack import BenchError, Stack
from samspill.infra import free_port
from samspill.processes import ServiceNotReady, ServiceProcess, service_env, stop_all

TARGET_P95_MS = 150.0
REQUESTS = {"full": 200, "quick": 50, "smoke": 5}
READY_TIMEOUT_S = 60.0
SESSION_COOKIE = "samspill_session"  # portal.sessions.SESSION_COOKIE
SESSION_KEY = "portal:session:{}"  # portal.sessions._key, over the SHA-256 of the session id


@dataclass(frozen=True)
class PortalPage:
    """One page to time; `path` may name `{date}` (the first evening measured) or `{space_id}`
    (a school hall of the data set)."""

    name: str
    path: str
    logged_in: bool = False


PAGES: tuple[PortalPage, ...] = (
    PortalPage("front page", "/"),
    PortalPage("hall search results", "/ledige-lokaler?dato={date}&fra=18:00&til=20:00"),
    PortalPage("a hall's page", "/lokaler/{space_id}"),
    PortalPage("equipment catalogue", "/utstyr"),
    PortalPage("My page (logged in)", "/min-side", logged_in=True),
)


async def measure(stack: Stack, data: DataSet, scale: Scale) -> dict[str, Any]:
    """Per page p50/p95 (or `missing`), and the p95 over every measured request."""
    count = REQUESTS.get(scale.name, 50)
    values = {
        "date": (data.today + timedelta(days=8)).isoformat(),
        "space_id": data.school_space_ids[0],
    }
    async with running_portal(stack) as url, httpx.AsyncClient(timeout=30) as client:
        cookie = await _session(stack, data)
        pages: dict[str, Any] = {}
        every = Timing()
        for page in PAGES:
            path = page.path.format(**values)
            headers = {"cookie": f"{SESSION_COOKIE}={cookie}"} if page.logged_in else {}
            probe = await client.get(url + path, headers=headers)
            if probe.status_code == 404:
                pages[page.name] = {"path": path, "missing": True}
                continue
            if probe.status_code != 200:
                raise BenchError(f"portal {path} → {probe.status_code}: {probe.text[:400]}")
            timing = await run_sequentially(
                _gets(client, url + path, headers), count, timeout_s=120
            )
            every.latencies += timing.latencies
            every.outcomes.update(timing.outcomes)
            pages[page.name] = {"path": path, **timing.summary(50, 95)}
    return {
        "target_p95_ms": TARGET_P95_MS,
        "pages": pages,
        "all_pages_p95_ms": round(every.ms(95), 2),
        "requests": every.count,
    }


def _gets(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Iterator[Job]:
    async def get() -> str:
        return str((await client.get(url, headers=headers)).status_code)

    while True:
        yield get


async def _session(stack: Stack, data: DataSet) -> str:
    """A logged-in session for the first club's administrator, who enters a profile first."""
    token = data.clubs[0].token
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.put(
            f"{stack.urls['booking']}/me/profile",
            headers={"Authorization": f"Bearer {token}"},
            json={"display_name": "Bench Person", "email": "bench@klubb.example.no"},
        )
        if answer.status_code != 200:
            raise BenchError(f"PUT /me/profile → {answer.status_code}: {answer.text[:400]}")
    session_id = secrets.token_urlsafe(32)
    person = {"name": "Bench Person", "access_token": token, "expires_at": time.time() + 7200}
    redis = Redis.from_url(stack.redis_url)
    try:
        key = SESSION_KEY.format(hashlib.sha256(session_id.encode()).hexdigest())
        await redis.set(key, json.dumps({"person": person}), ex=7200)
    finally:
        await redis.aclose()
    return session_id


@contextlib.asynccontextmanager
async def running_portal(stack: Stack) -> AsyncIterator[str]:
    port = free_port()
    env = service_env(
        "postgresql://unused",  # the portal keeps no database
        stack.kafka_url,
        stack.redis_url,
        LOG_LEVEL="WARNING",
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        FACILITIES_URL=stack.urls["facilities"],
        BOOKING_URL=stack.urls["booking"],
        NOTIFICATIONS_URL=stack.urls["notifications"],
    )
    process = ServiceProcess("portal", port, env, Path(stack.logs) / "portal.log")
    process.start()
    try:
        try:
            await process.wait_ready(READY_TIMEOUT_S)
        except ServiceNotReady as exc:
            raise BenchError(f"portal {exc.reason}\n{process.log_tail(3000)}") from None
        yield process.url
    finally:
        stop_all([process])


def table_lines(figures: dict[str, Any] | None) -> list[str]:
    """The printed lines: each page's p50/p95 and the p95 over all of them beside the target."""
    if not figures:
        return []
    target = figures["target_p95_ms"]
    overall = figures["all_pages_p95_ms"]
    verdict = "within" if overall < target else "ABOVE"
    lines = [
        f"Portal pages, p95 over all: {overall:,.1f} ms (target < {target:,.0f} ms: {verdict})"
    ]
    for name, page in figures["pages"].items():
        if page.get("missing"):
            lines.append(f"  {name:<28} not in this build ({page['path']} answers 404)")
        else:
            lines.append(
                f"  {name:<28} p50 {page['p50_ms']:>7,.1f} ms   p95 {page['p95_ms']:>7,.1f} ms"
            )
    return [*lines, ""]
