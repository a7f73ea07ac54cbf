"""Rate limiting in a real service (notifications) against a real Redis: whose budget a
request spends.

Each test calls from addresses of its own (random, in documentation ranges), so its buckets
start empty however many other runs share the Redis.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
import pytest

from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from samspill.tokens import Identity, TokenVerifier
from tests.support import RunningService, running_service, served_over_http, settings_for

pytestmark = pytest.mark.slow

LIMIT = 100
FEED_PATH = f"/feeds/spaces/{uuid.uuid4()}.ics"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned_token(sub: str, service: RunningService) -> str:
    """A token anyone can write: `alg: none`, no signature, the claims the service expects."""
    now = int(time.time())
    claims = {
        "sub": sub,
        "groups": ["samspill-admins"],
        "iat": now,
        "exp": now + 3600,
        "iss": service.settings.jwt_issuer,
        "aud": service.settings.jwt_audience,
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def fresh_address() -> str:
    """An address of 198.18.0.0/15 (benchmarking, never routed) that no other run uses now."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


@asynccontextmanager
async def service_with(
    infra: Infrastructure,
    kafka: KafkaConfig,
    database_url: str,
    *,
    trusted_proxies: Sequence[str] = (),
) -> AsyncIterator[RunningService]:
    settings = settings_for(
        "notifications",
        database_url=database_url,
        kafka=kafka,
        redis_url=infra.redis.url,
        rate_limit_per_minute=LIMIT,
        trusted_proxies=",".join(trusted_proxies),
    )
    async with running_service("notifications", settings) as service:
        yield service


@asynccontextmanager
async def client_from(service: RunningService, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose TCP peer address, as the service sees it, is `peer`."""
    transport = httpx.ASGITransport(app=service.app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as http:
        yield http


def statuses(responses: Sequence[httpx.Response]) -> Counter[str]:
    return Counter("429" if r.status_code == 429 else "served" for r in responses)


async def test_forged_subjects_do_not_buy_fresh_budgets(
    infra: Infrastructure, isolated_kafka: KafkaConfig, database_factory
) -> None:
    """700 feed requests, each with an unsigned token of a fresh random `sub`, from one
    address: past the limit they get 429, as the address's budget is all they have."""
    url = await database_factory("rl_forged")
    async with (
        service_with(infra, isolated_kafka, url) as service,
        client_from(service, fresh_address()) as http,
    ):
        forged = [unsigned_token(uuid.uuid4().hex, service) for _ in range(700)]
        responses = [
            await http.get(FEED_PATH, headers={"Authorization": f"Bearer {token}"})
            for token in forged
        ]
    assert statuses(responses) == {"served": LIMIT, "429": 700 - LIMIT}
    assert {r.status_code for r in responses[:LIMIT]} == {404}  # no such space: served


async def test_verified_callers_each_have_a_budget_and_are_verified_once(
    infra: Infrastructure, isolated_kafka: KafkaConfig, database_factory
) -> None:
    url = await database_factory("rl_verified")
    async with service_with(infra, isolated_kafka, url) as service:
        counting = CountingVerifier(service)
        service.app.state.token_verifier = counting
        user_a = service.token(f"a-{uuid.uuid4().hex}", admin=True)
        user_b = service.token(f"b-{uuid.uuid4().hex}", admin=True)
        async with client_from(service, fresh_address()) as http:
            first = await http.get("/messages", headers=user_a)
            assert first.status_code == 200, first.text
            assert counting.calls == 1  # the limiter and the route share one verification
            for _ in range(LIMIT - 1):
                await http.get("/messages", headers=user_a)
            assert (await http.get("/messages", headers=user_a)).status_code == 429
            assert (await http.get("/messages", headers=user_b)).status_code == 200
            assert (await http.get(FEED_PATH)).status_code == 404  # the address's own budget


class CountingVerifier(TokenVerifier):
    """The service's verifier, counting how often a token is verified."""

    def __init__(self, service: RunningService) -> None:
        settings = service.settings
        super().__init__(
            settings.oidc_issuers,
            dev_issuer=settings.dev_token_issuer,
            dev_secret=settings.jwt_secret,
        )
        self.calls = 0

    async def verify(self, token: str) -> Identity:
        self.calls += 1
        return await super().verify(token)


async def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_bucket(
    infra: Infrastructure, isolated_kafka: KafkaConfig, database_factory
) -> None:
    url = await database_factory("rl_untrusted")
    peer = fresh_address()
    async with (
        service_with(infra, isolated_kafka, url, trusted_proxies=["192.0.2.0/24"]) as svc,
        client_from(svc, peer) as http,
    ):
        responses = [
            await http.get(FEED_PATH, headers={"X-Forwarded-For": fresh_address()})
            for _ in range(LIMIT + 20)
        ]
    assert statuses(responses) == {"served": LIMIT, "429": 20}


async def test_forwarded_for_from_a_trusted_proxy_picks_the_bucket(
    infra: Infrastructure, isolated_kafka: KafkaConfig, database_factory
) -> None:
    url = await database_factory("rl_trusted")
    proxy = f"192.0.2.{random.randint(1, 254)}"
    client_a, client_b = fresh_address(), fresh_address()
    async with (
        service_with(infra, isolated_kafka, url, trusted_proxies=["192.0.2.0/24"]) as svc,
        client_from(svc, proxy) as http,
    ):
        # The proxy appends the address it saw; what the client wrote before it is ignored.
        spoofed = {"X-Forwarded-For": f"{fresh_address()}, {client_a}"}
        from_a = [await http.get(FEED_PATH, headers=spoofed) for _ in range(LIMIT + 5)]
        from_b = await http.get(FEED_PATH, headers={"X-Forwarded-For": client_b})
    assert statuses(from_a) == {"served": LIMIT, "429": 5}
    assert from_b.status_code == 404
    assert from_b.headers["ratelimit-remaining"] == str(LIMIT - 1)


# --- the service as the `api` command serves it, over a real socket ------------------------


async def remaining_for(base_url: str, forwarded_for: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get(FEED_PATH, headers=headers)
    return int(response.headers["ratelimit-remaining"])


@pytest.mark.parametrize(
    ("trusted", "forwarded_counts"),
    [pytest.param((), False, id="no-trusted-proxy"), pytest.param(("127.0.0.1",), True, id="lo")],
)
async def test_the_api_server_honours_forwarded_for_only_from_trusted_proxies(
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory,
    trusted: tuple[str, ...],
    forwarded_counts: bool,
) -> None:
    """Over a socket the peer is 127.0.0.1, which the HTTP server itself (uvicorn) trusts
    by default: only TRUSTED_PROXIES may decide that."""
    url = await database_factory(f"rl_socket_{len(trusted)}")
    limit_large = 1_000_000  # other runs may share 127.0.0.1's bucket; never reach the limit
    settings = settings_for(
        "notifications",
        database_url=url,
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        rate_limit_per_minute=limit_large,
        trusted_proxies=",".join(trusted),
    )
    async with (
        running_service("notifications", settings) as service,
        served_over_http(service.app) as base,
    ):
        await remaining_for(base, None)  # 127.0.0.1's bucket has one request at least
        spoofed = await remaining_for(base, fresh_address())
    if forwarded_counts:
        assert spoofed == limit_large - 1  # a bucket of its own, fresh
    else:
        assert spoofed <= limit_large - 2  # 127.0.0.1's bucket
