"""Rate limiting against a real Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from starlette.requests import Request

from samspill.ratelimit import RateLimiter, RateLimitMiddleware, client_address, default_identity
from samspill.settings import ServiceSettings
from samspill.tokens import TokenVerifier, mint_dev_token

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"
SECRET = "local-development-secret-of-32-bytes!"
DEV_SETTINGS = ServiceSettings(jwt_secret=SECRET, jwt_issuer="dev", jwt_audience="samspill")
VERIFIER = TokenVerifier([], dev_issuer=DEV_SETTINGS.dev_token_issuer, dev_secret=SECRET)


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    async with Redis.from_url(REDIS_URL) as client:
        yield client


@pytest.fixture
async def namespace(redis_client: Redis) -> AsyncIterator[str]:
    prefix = f"test-rl-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
def make_limiter(redis_client: Redis, namespace: str) -> Callable[..., RateLimiter]:
    def make(limit: int, window_seconds: int = 60) -> RateLimiter:
        return RateLimiter(
            lambda: redis_client, namespace=namespace, limit=limit, window_seconds=window_seconds
        )

    return make


def bearer_for(sub: str) -> dict[str, str]:
    token = mint_dev_token(secret=SECRET, issuer="dev", audience="samspill", sub=sub)
    return {"Authorization": f"Bearer {token}"}


# --- RateLimiter -------------------------------------------------------------------------


async def test_hits_are_allowed_up_to_the_limit(make_limiter: Callable[..., RateLimiter]) -> None:
    limiter = make_limiter(limit=3, window_seconds=60)
    decisions = [await limiter.hit("ip:10.0.0.1") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert [d.retry_after for d in decisions[:3]] == [0, 0, 0]
    assert 1 <= decisions[3].retry_after <= 60
    assert all(d.limit == 3 for d in decisions)
    assert all(1 <= d.reset_after <= 60 for d in decisions)


async def test_identities_have_separate_budgets(
    make_limiter: Callable[..., RateLimiter],
) -> None:
    limiter = make_limiter(limit=1)
    assert (await limiter.hit("sub:a")).allowed
    assert not (await limiter.hit("sub:a")).allowed
    assert (await limiter.hit("sub:b")).allowed


async def test_the_window_expires(make_limiter: Callable[..., RateLimiter]) -> None:
    limiter = make_limiter(limit=1, window_seconds=1)
    assert (await limiter.hit("ip:x")).allowed
    refused = await limiter.hit("ip:x")
    assert not refused.allowed
    assert refused.retry_after == 1
    await asyncio.sleep(1.1)
    assert (await limiter.hit("ip:x")).allowed


async def test_the_counter_key_expires_with_the_window(
    make_limiter: Callable[..., RateLimiter], redis_client: Redis
) -> None:
    limiter = make_limiter(limit=5, window_seconds=30)
    await limiter.hit("ip:y")
    ttl = await redis_client.pttl(limiter.key("ip:y"))
    assert 0 < ttl <= 30_000


async def test_concurrent_hits_are_counted_exactly(
    make_limiter: Callable[..., RateLimiter],
) -> None:
    limiter = make_limiter(limit=20)
    decisions = await asyncio.gather(*(limiter.hit("ip:burst") for _ in range(60)))
    assert sum(d.allowed for d in decisions) == 20
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(20))


async def test_limiter_refuses_nonsense_configuration(redis_client: Redis) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(lambda: redis_client, namespace="x", limit=0, window_seconds=60)


# --- default identity --------------------------------------------------------------------


def request_with(headers: dict[str, str], client: tuple[str, int] = ("10.1.2.3", 5000)) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    app = FastAPI()
    app.state.token_verifier = VERIFIER
    scope = {"type": "http", "method": "GET", "path": "/", "headers": raw, "client": client}
    return Request({**scope, "app": app})


async def test_identity_is_the_verified_token_subject() -> None:
    first = await default_identity(request_with(bearer_for("user-1")))
    again = await default_identity(request_with(bearer_for("user-1"), client=("10.9.9.9", 1)))
    other = await default_identity(request_with(bearer_for("user-2")))
    assert first.startswith("sub:")
    assert "user-1" not in first
    assert first == again
    assert first != other


def forged_bearer(sub: str) -> dict[str, str]:
    token = mint_dev_token(
        secret="another-key-than-the-service-has-32b",
        issuer="dev",
        audience="samspill",
        sub=sub,
        admin=True,
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        forged_bearer("someone-else"),
    ],
    ids=["anonymous", "not-a-jwt", "basic", "wrong-signature"],
)
async def test_identity_falls_back_to_the_client_ip(headers: dict[str, str]) -> None:
    assert await default_identity(request_with(headers)) == "ip:10.1.2.3"


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        ("10.1.2.3", "10.1.2.3"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:10.1.2.3", "10.1.2.3"),
        ("unix-socket", "other:"),
        ("x" * 5000, "other:"),
    ],
)
def test_an_ipv6_caller_is_its_slash_64(peer: str, address: str) -> None:
    found = client_address(request_with({}, client=(peer, 1)))
    assert found.startswith(address)
    assert len(found) <= 64


# --- middleware --------------------------------------------------------------------------


def build_app(limiter_getter: Callable[[], RateLimiter]) -> FastAPI:
    app = FastAPI()
    app.state.token_verifier = VERIFIER

    @app.get("/spaces")
    async def spaces() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(RateLimitMiddleware, limiter_getter=limiter_getter)
    return app


@pytest.fixture
async def limited_client(
    make_limiter: Callable[..., RateLimiter],
) -> AsyncIterator[httpx.AsyncClient]:
    limiter = make_limiter(limit=2, window_seconds=60)
    transport = httpx.ASGITransport(build_app(lambda: limiter))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_middleware_answers_429_problem_with_retry_after(
    limited_client: httpx.AsyncClient,
) -> None:
    allowed = [await limited_client.get("/spaces") for _ in range(2)]
    refused = await limited_client.get("/spaces")
    assert [r.status_code for r in allowed] == [200, 200]
    assert allowed[0].headers["ratelimit-limit"] == "2"
    assert [r.headers["ratelimit-remaining"] for r in allowed] == ["1", "0"]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "https://samspill.no/problems/too-many-requests"
    assert refused.json()["detail_nb"].startswith("For mange forespørsler")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-limit"] == "2"


async def test_operational_endpoints_are_exempt(limited_client: httpx.AsyncClient) -> None:
    responses = [await limited_client.get("/healthz") for _ in range(5)]
    assert all(r.status_code == 200 for r in responses)
    assert "ratelimit-limit" not in responses[0].headers
    assert (await limited_client.get("/spaces")).status_code == 200


async def test_each_token_subject_has_its_own_budget(limited_client: httpx.AsyncClient) -> None:
    for _ in range(2):
        await limited_client.get("/spaces", headers=bearer_for("club-a"))
    assert (await limited_client.get("/spaces", headers=bearer_for("club-a"))).status_code == 429
    assert (await limited_client.get("/spaces", headers=bearer_for("club-b"))).status_code == 200
    assert (await limited_client.get("/spaces")).status_code == 200


async def test_forged_tokens_spend_the_address_budget(limited_client: httpx.AsyncClient) -> None:
    codes = [
        (await limited_client.get("/spaces", headers=forged_bearer(f"fake-{n}"))).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


async def test_custom_identity_is_used(make_limiter: Callable[..., RateLimiter]) -> None:
    limiter = make_limiter(limit=1)
    app = FastAPI()

    @app.get("/feeds")
    async def feeds() -> dict[str, str]:
        return {"status": "ok"}

    async def feed_token(request: Request) -> str:
        return request.headers.get("x-feed-token", "anonymous")

    app.add_middleware(RateLimitMiddleware, limiter_getter=lambda: limiter, identity=feed_token)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/feeds", headers={"x-feed-token": "a"})).status_code == 200
        assert (await http.get("/feeds", headers={"x-feed-token": "a"})).status_code == 429
        assert (await http.get("/feeds", headers={"x-feed-token": "b"})).status_code == 200


async def test_redis_down_lets_requests_through(namespace: str) -> None:
    async with Redis.from_url(UNREACHABLE_REDIS_URL) as unreachable:
        limiter = RateLimiter(lambda: unreachable, namespace=namespace, limit=1, window_seconds=60)
        transport = httpx.ASGITransport(build_app(lambda: limiter))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            responses = [await http.get("/spaces") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "ratelimit-limit" not in responses[0].headers
