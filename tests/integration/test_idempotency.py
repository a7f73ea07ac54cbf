"""Idempotency-Key replay against a real Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from redis.asyncio import Redis

from samspill.idempotency import IdempotencyMiddleware
from samspill.problems import install_problem_handlers

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"
TTL_SECONDS = 600
LOCK_SECONDS = 30


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    async with Redis.from_url(REDIS_URL) as client:
        yield client


@pytest.fixture
async def namespace(redis_client: Redis) -> AsyncIterator[str]:
    prefix = f"test-idem-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await redis_client.delete(*keys)


@dataclass
class Backend:
    """What the app did, so a test can tell a replay from a second run."""

    bookings: int = 0
    failures_left: int = 0
    crashes_left: int = 0
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)


def build_app(backend: Backend, redis_getter: Callable[[], Redis], namespace: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/bookings", status_code=201)
    async def create_booking(request: Request, response: Response) -> dict[str, object]:
        payload = await request.json()
        backend.bookings += 1
        response.headers["Location"] = f"/bookings/{backend.bookings}"
        return {"id": backend.bookings, "title": payload.get("title")}

    @app.post("/flaky")
    async def flaky() -> JSONResponse:
        if backend.failures_left > 0:
            backend.failures_left -= 1
            return JSONResponse({"error": "database busy"}, status_code=503)
        backend.bookings += 1
        return JSONResponse({"id": backend.bookings}, status_code=201)

    @app.post("/crashy")
    async def crashy() -> dict[str, int]:
        if backend.crashes_left > 0:
            backend.crashes_left -= 1
            raise RuntimeError("lost the database connection")
        backend.bookings += 1
        return {"id": backend.bookings}

    @app.post("/slow")
    async def slow() -> dict[str, int]:
        backend.entered.set()
        await backend.gate.wait()
        backend.bookings += 1
        return {"id": backend.bookings}

    @app.post("/brief")
    async def brief() -> dict[str, int]:
        await asyncio.sleep(0.05)
        backend.bookings += 1
        return {"id": backend.bookings}

    @app.get("/bookings")
    async def list_bookings() -> dict[str, int]:
        return {"count": backend.bookings}

    app.add_middleware(
        IdempotencyMiddleware,
        redis_getter=redis_getter,
        namespace=namespace,
        ttl_seconds=TTL_SECONDS,
        lock_seconds=LOCK_SECONDS,
    )
    return app


@pytest.fixture
def backend() -> Backend:
    return Backend()


@pytest.fixture
async def client(
    backend: Backend, redis_client: Redis, namespace: str
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(backend, lambda: redis_client, namespace)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def key_header(key: str, authorization: str = "Bearer token-a") -> dict[str, str]:
    return {"Idempotency-Key": key, "Authorization": authorization}


async def stored_keys(redis_client: Redis, namespace: str) -> list[bytes]:
    return [key async for key in redis_client.scan_iter(match=f"{namespace}:*")]


async def test_same_key_and_body_replays_the_first_response(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    body = {"title": "Innebandy tirsdag"}
    first = await client.post("/bookings", json=body, headers=key_header("k-1"))
    second = await client.post("/bookings", json=body, headers=key_header("k-1"))
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() == {"id": 1, "title": "Innebandy tirsdag"}
    assert second.headers["location"] == "/bookings/1"
    assert second.headers["content-type"] == "application/json"
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert backend.bookings == 1


async def test_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    await client.post("/bookings", json={"title": "A"}, headers=key_header("k-2"))
    response = await client.post("/bookings", json={"title": "B"}, headers=key_header("k-2"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://samspill.no/problems/idempotency-key-reused"
    assert backend.bookings == 1


async def test_same_key_on_another_path_is_refused(client: httpx.AsyncClient) -> None:
    await client.post("/bookings", json={}, headers=key_header("k-path"))
    response = await client.post("/brief", json={}, headers=key_header("k-path"))
    assert response.status_code == 422


async def test_without_the_header_every_request_runs(
    client: httpx.AsyncClient, backend: Backend, redis_client: Redis, namespace: str
) -> None:
    for _ in range(2):
        response = await client.post("/bookings", json={"title": "A"})
        assert response.status_code == 201
    assert backend.bookings == 2
    assert await stored_keys(redis_client, namespace) == []


async def test_other_methods_pass_through(client: httpx.AsyncClient, backend: Backend) -> None:
    await client.post("/bookings", json={}, headers=key_header("k-get"))
    response = await client.get("/bookings", headers=key_header("k-get"))
    assert response.json() == {"count": 1}
    assert "idempotent-replayed" not in response.headers


async def test_keys_are_scoped_by_the_caller(client: httpx.AsyncClient, backend: Backend) -> None:
    body = {"title": "A"}
    first = await client.post("/bookings", json=body, headers=key_header("k-3", "Bearer one"))
    other = await client.post("/bookings", json=body, headers=key_header("k-3", "Bearer two"))
    assert first.json()["id"] == 1
    assert other.json()["id"] == 2
    assert "idempotent-replayed" not in other.headers


@pytest.mark.parametrize(("length", "status"), [(255, 201), (256, 400)])
async def test_key_length_is_bounded(
    client: httpx.AsyncClient, backend: Backend, length: int, status: int
) -> None:
    response = await client.post("/bookings", json={}, headers=key_header("k" * length))
    assert response.status_code == status
    if status == 400:
        assert response.json()["type"] == "https://samspill.no/problems/idempotency-key-invalid"
        assert backend.bookings == 0


async def test_server_errors_are_not_stored_so_a_retry_runs(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    backend.failures_left = 1
    failed = await client.post("/flaky", json={}, headers=key_header("k-4"))
    retried = await client.post("/flaky", json={}, headers=key_header("k-4"))
    replayed = await client.post("/flaky", json={}, headers=key_header("k-4"))
    assert failed.status_code == 503
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert replayed.headers["idempotent-replayed"] == "true"
    assert backend.bookings == 1


async def test_an_exception_releases_the_key_so_a_retry_runs(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    backend.crashes_left = 1
    crashed = await client.post("/crashy", json={}, headers=key_header("k-5"))
    retried = await client.post("/crashy", json={}, headers=key_header("k-5"))
    assert crashed.status_code == 500
    assert retried.status_code == 200
    assert retried.json() == {"id": 1}


async def test_a_request_still_in_flight_answers_409(
    client: httpx.AsyncClient, backend: Backend, redis_client: Redis, namespace: str
) -> None:
    first = asyncio.create_task(client.post("/slow", json={}, headers=key_header("k-6")))
    await asyncio.wait_for(backend.entered.wait(), 5)
    [marker_key] = await stored_keys(redis_client, namespace)
    assert 0 < await redis_client.ttl(marker_key) <= LOCK_SECONDS

    in_flight = await client.post("/slow", json={}, headers=key_header("k-6"))
    assert in_flight.status_code == 409
    assert in_flight.json()["type"] == "https://samspill.no/problems/idempotency-key-in-flight"
    assert in_flight.headers["retry-after"] == "1"

    backend.gate.set()
    assert (await first).status_code == 200
    replay = await client.post("/slow", json={}, headers=key_header("k-6"))
    assert replay.headers["idempotent-replayed"] == "true"
    assert backend.bookings == 1
    assert LOCK_SECONDS < await redis_client.ttl(marker_key) <= TTL_SECONDS


async def test_concurrent_requests_with_one_key_run_once(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    responses = await asyncio.gather(
        *(client.post("/brief", json={"n": 1}, headers=key_header("k-7")) for _ in range(5))
    )
    assert backend.bookings == 1
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    conflicts = [r for r in responses if r.status_code == 409]
    originals = [r for r in responses if r not in replayed and r not in conflicts]
    assert len(originals) == 1
    assert originals[0].status_code == 200
    for response in [*originals, *replayed]:
        assert response.json() == {"id": 1}


async def test_two_app_instances_share_the_key_through_redis(
    backend: Backend, redis_client: Redis, namespace: str
) -> None:
    other_backend = Backend()
    apps = [
        build_app(backend, lambda: redis_client, namespace),
        build_app(other_backend, lambda: redis_client, namespace),
    ]
    responses = []
    for app in apps:
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            responses.append(await http.post("/bookings", json={}, headers=key_header("k-8")))
    assert responses[1].headers["idempotent-replayed"] == "true"
    assert backend.bookings + other_backend.bookings == 1


async def test_redis_down_is_503_never_500(backend: Backend, namespace: str) -> None:
    async with Redis.from_url(UNREACHABLE_REDIS_URL) as unreachable:
        app = build_app(backend, lambda: unreachable, namespace)
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post("/bookings", json={}, headers=key_header("k-9"))
            plain = await http.post("/bookings", json={})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://samspill.no/problems/service-unavailable"
    assert plain.status_code == 201
    assert backend.bookings == 1
