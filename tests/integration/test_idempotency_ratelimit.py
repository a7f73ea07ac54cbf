"""A POST with an Idempotency-Key behind the rate limiter, wired as the app factory wires them:
its hit is counted in the claim's Redis round trip, with the same answers and headers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from samspill.idempotency import IdempotencyMiddleware, counts_rate_limit_hit
from samspill.problems import install_problem_handlers
from samspill.ratelimit import RateLimiter, RateLimitMiddleware
from samspill.settings import ServiceSettings
from samspill.tokens import TokenVerifier, mint_dev_token

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "local-development-secret-of-32-bytes!"
DEV_SETTINGS = ServiceSettings(jwt_secret=SECRET, jwt_issuer="dev", jwt_audience="samspill")
LIMIT = 4


class CountingRedis(Redis):
    """Counts the commands the app sends: each is one round trip."""

    sent: int = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent += 1
        return await super().execute_command(*args, **options)


@pytest.fixture
async def redis_client() -> AsyncIterator[CountingRedis]:
    async with CountingRedis.from_url(REDIS_URL) as client:
        yield client


@pytest.fixture
async def namespace(redis_client: Redis) -> AsyncIterator[str]:
    prefix = f"test-idem-rl-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
async def client(redis_client: CountingRedis, namespace: str) -> AsyncIterator[httpx.AsyncClient]:
    runs: list[int] = []
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(
        [], dev_issuer=DEV_SETTINGS.dev_token_issuer, dev_secret=SECRET
    )

    @app.post("/bookings", status_code=201)
    async def book() -> dict[str, int]:
        runs.append(1)
        return {"id": len(runs)}

    limiter = RateLimiter(
        lambda: redis_client, namespace=f"{namespace}:rate", limit=LIMIT, window_seconds=60
    )
    app.add_middleware(
        IdempotencyMiddleware, redis_getter=lambda: redis_client, namespace=f"{namespace}:idem"
    )
    app.add_middleware(
        RateLimitMiddleware, limiter_getter=lambda: limiter, defer=counts_rate_limit_hit
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test"
    ) as http:
        http.runs = runs  # type: ignore[attr-defined]
        yield http


def headers(key: str | None) -> dict[str, str]:
    token = mint_dev_token(secret=SECRET, issuer="dev", audience="samspill", sub="club-admin")
    found = {"Authorization": f"Bearer {token}"}
    if key is not None:
        found["Idempotency-Key"] = key
    return found


async def test_a_keyed_post_is_counted_with_its_claim_and_answers_with_the_limits_headers(
    client: httpx.AsyncClient, redis_client: CountingRedis
) -> None:
    await client.post("/bookings", json={"n": 0}, headers=headers("k-0"))  # scripts loaded
    before = redis_client.sent
    first = await client.post("/bookings", json={"n": 1}, headers=headers("k-1"))
    # One round trip to count the hit and claim the key, one to store the answer.
    assert redis_client.sent - before == 2
    assert first.status_code == 201
    assert first.headers["ratelimit-limit"] == str(LIMIT)
    assert first.headers["ratelimit-remaining"] == str(LIMIT - 2)  # the first request counted

    replay = await client.post("/bookings", json={"n": 1}, headers=headers("k-1"))
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert replay.headers["ratelimit-remaining"] == str(LIMIT - 3)  # a replay counts too
    assert client.runs == [1, 1]  # type: ignore[attr-defined]


async def test_over_the_limit_a_keyed_post_is_refused_and_its_key_stays_free(
    client: httpx.AsyncClient, redis_client: Redis, namespace: str
) -> None:
    for n in range(LIMIT):
        assert (await client.post("/bookings", json={"n": n}, headers=headers(None))).is_success
    refused = await client.post("/bookings", json={"n": 9}, headers=headers("k-2"))
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "https://samspill.no/problems/too-many-requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert [key async for key in redis_client.scan_iter(match=f"{namespace}:idem*")] == []
    assert client.runs == [1] * LIMIT  # type: ignore[attr-defined]


async def test_an_invalid_key_is_counted_by_the_limiter_and_refused(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/bookings", json={"n": 1}, headers=headers("x" * 300))
    assert answer.status_code == 400
    assert answer.headers["ratelimit-remaining"] == str(LIMIT - 1)
