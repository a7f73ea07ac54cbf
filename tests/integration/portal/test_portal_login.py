"""The portal logs people in at a real OpenID Connect provider (the embedded one) with the
authorization-code flow and PKCE, keeps the session in Redis and ends it on logout.

The portal runs in process; the provider's forms are filled over HTTP and the callback it
redirects to is handed to the portal, as a browser would.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request
from redis.asyncio import Redis

from portal.apis import Apis, visitor_address
from portal.config import PortalSettings
from portal.main import create_app
from portal.sessions import CSRF_COOKIE, SESSION_COOKIE
from samspill.identity_provider import IdentityProvider, oidc_issuers_env, sign_in_at
from samspill.infra import Infrastructure
from samspill.tokens import IssuerConfig
from tests.identity import PLANTED_PID, PORTAL_TEST_CALLBACK
from tests.support import served_over_http

PORTAL = "http://127.0.0.1"


@pytest.fixture
async def portal(
    infra: Infrastructure, identity_provider: IdentityProvider
) -> AsyncIterator[httpx.AsyncClient]:
    settings = PortalSettings(
        public_url=PORTAL,
        redis_url=infra.redis.url,
        oidc_issuers=[
            IssuerConfig(**i) for i in json.loads(oidc_issuers_env(identity_provider.issuer))
        ],
        session_cookie_secure=False,  # httpx sends Secure cookies only over HTTPS
        log_level="WARNING",
    )
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PORTAL) as client:
            yield client


def session_key(client: httpx.AsyncClient) -> str:
    session_id = client.cookies[SESSION_COOKIE]
    return f"portal:session:{hashlib.sha256(session_id.encode()).hexdigest()}"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


async def log_in(client: httpx.AsyncClient, login: str, next_path: str = "/") -> httpx.Response:
    start = await client.get("/logg-inn", params={"neste": next_path})
    assert start.status_code in {302, 303, 307}
    callback = sign_in_at(start.headers["location"], redirect_uri=PORTAL_TEST_CALLBACK, login=login)
    return await client.get(callback.removeprefix(PORTAL))


async def test_the_login_uses_pkce_s256_state_and_nonce(portal: httpx.AsyncClient) -> None:
    start = await portal.get("/logg-inn")
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"]
    assert query["nonce"]
    assert query["client_id"] == "samspill-portal"
    assert query["redirect_uri"] == PORTAL_TEST_CALLBACK


async def test_log_in_keeps_only_a_name_and_the_token_in_redis_then_log_out_ends_it(
    portal: httpx.AsyncClient, infra: Infrastructure
) -> None:
    before = portal.cookies.get(SESSION_COOKIE)
    answer = await log_in(portal, "demo-club-leader", next_path="/ledige-lokaler?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ledige-lokaler?x=1"
    assert portal.cookies[SESSION_COOKIE] != before  # a new id at login: no fixation
    cookie = next(h for h in answer.headers.get_list("set-cookie") if SESSION_COOKIE in h)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie

    redis = Redis.from_url(infra.redis.url)
    try:
        stored = json.loads(await redis.get(session_key(portal)))
        assert set(stored) == {"person"}
        assert set(stored["person"]) == {
            "name",
            "access_token",
            "expires_at",
            "staff",
            "logged_in_at",
        }
        assert stored["person"]["staff"] is False
        assert stored["person"]["name"] == "Kari Nordmann"
        assert PLANTED_PID not in json.dumps(stored)  # no claim beyond the name is kept
        assert 0 < await redis.ttl(session_key(portal)) <= PortalSettings().session_ttl_s

        home = await portal.get("/")
        assert "Logg ut" in home.text
        key = session_key(portal)
        out = await portal.post("/logg-ut", data={"csrf_token": csrf_of(home.text)})
        assert out.status_code == 303
        assert await redis.exists(key) == 0
        assert "Logg inn" in (await portal.get("/")).text
    finally:
        await redis.aclose()


async def test_a_replayed_or_forged_callback_logs_nobody_in(portal: httpx.AsyncClient) -> None:
    start = await portal.get("/logg-inn")
    callback = sign_in_at(
        start.headers["location"], redirect_uri=PORTAL_TEST_CALLBACK, login="demo-family"
    )
    forged = re.sub(r"state=[^&]+", "state=forged", callback.removeprefix(PORTAL))
    assert (await portal.get(forged)).status_code == 400
    # The real callback still works once, then never again.
    assert (await portal.get(callback.removeprefix(PORTAL))).status_code == 303
    assert (await portal.get(callback.removeprefix(PORTAL))).status_code == 400


async def test_an_error_from_the_provider_is_a_page_not_a_crash(portal: httpx.AsyncClient) -> None:
    answer = await portal.get("/auth/callback", params={"error": "access_denied", "state": "x"})
    assert answer.status_code == 400
    assert "Innloggingen lyktes ikke" in answer.text


async def test_log_out_needs_the_form_token(portal: httpx.AsyncClient) -> None:
    await log_in(portal, "demo-club-member")
    refused = await portal.post("/logg-ut", data={"csrf_token": "0" * 64})
    assert refused.status_code == 403
    assert "Logg ut" in (await portal.get("/")).text
    assert CSRF_COOKIE in portal.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
async def test_the_next_page_is_always_on_the_portal(
    portal: httpx.AsyncClient, target: str
) -> None:
    answer = await log_in(portal, "demo-club-member", next_path=target)
    assert answer.headers["location"] == "/"


async def test_a_form_sent_after_the_session_ended_returns_to_its_page(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/")
    answer = await portal.post(
        "/lag/ny",
        data={"csrf_token": csrf_of(page.text), "name": "Kjeller IL"},
        headers={"referer": f"{PORTAL}/lag/ny?fra=meny"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/logg-inn?neste=%2Flag%2Fny%3Ffra%3Dmeny"


async def test_the_apis_are_told_the_visitors_address(infra: Infrastructure) -> None:
    """Behind the portal every visitor would otherwise be one client to the APIs' rate limit."""
    api = FastAPI()

    @api.get("/echo")
    async def echo(request: Request) -> dict[str, str | None]:
        return {"forwarded_for": request.headers.get("x-forwarded-for")}

    async with served_over_http(api) as url:
        apis = Apis(PortalSettings(booking_url=url))
        try:
            token = visitor_address.set("203.0.113.7")
            try:
                answer = await apis.get("booking", "/echo")
            finally:
                visitor_address.reset(token)
            assert answer == {"forwarded_for": "203.0.113.7"}
            assert await apis.get("booking", "/echo") == {"forwarded_for": None}
        finally:
            await apis.aclose()
