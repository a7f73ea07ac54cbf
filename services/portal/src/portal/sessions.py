"""Server-side sessions in Redis, and the CSRF token every form carries.

The browser holds only a random session id in an HttpOnly, Secure, SameSite=Lax cookie; what
the session holds (the person, their access token, the login's state) stays in Redis under a
hash of that id, and expires after SESSION_TTL_S without a request. A visitor who never logs
in gets no session at all. Logging in starts a new session id (no fixation), logging out
deletes the session from Redis.

Every form carries a CSRF token: an HMAC of a random value kept in its own SameSite=Strict
cookie. `verify_csrf` refuses an unsafe request whose form field or `X-CSRF-Token` header does
not match, before any route runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from http.cookies import SimpleCookie
from typing import Any

from fastapi import Request
from redis.asyncio import Redis
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "samspill_session"
CSRF_COOKIE = "samspill_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ROTATE = "samspill.session.rotate"
_CSRF_SEED = "samspill.csrf.seed"


class CsrfRefused(Exception):
    """An unsafe request without this visitor's CSRF token: refused before any route runs."""


def _key(session_id: str) -> str:
    return f"portal:session:{hashlib.sha256(session_id.encode()).hexdigest()}"


def _cookie(name: str, value: str, *, max_age: int, secure: bool, same_site: str) -> str:
    morsel = SimpleCookie()
    morsel[name] = value
    attributes = morsel[name]
    attributes["path"] = "/"
    attributes["httponly"] = True
    attributes["samesite"] = same_site
    attributes["max-age"] = max_age
    if secure:
        attributes["secure"] = True
    return morsel.output(header="").strip()


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            parsed = SimpleCookie()
            parsed.load(value.decode("latin-1"))
            return {key: morsel.value for key, morsel in parsed.items()}
    return {}


class RedisSessionMiddleware:
    """`request.session` backed by Redis; the CSRF cookie set on a visitor's first page."""

    def __init__(
        self, app: ASGIApp, *, redis: Redis, ttl_s: int, secure: bool, csrf_cookie_days: int = 365
    ) -> None:
        self.app = app
        self.redis = redis
        self.ttl_s = ttl_s
        self.secure = secure
        self.csrf_max_age = csrf_cookie_days * 24 * 3600

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        session_id = cookies.get(SESSION_COOKIE)
        loaded = await self._load(session_id) if session_id else None
        if loaded is None:
            session_id = None
        scope["session"] = dict(loaded or {})
        new_seed = None if cookies.get(CSRF_COOKIE) else secrets.token_urlsafe(32)
        scope[_CSRF_SEED] = cookies.get(CSRF_COOKIE) or new_seed
        before = json.dumps(loaded or {}, sort_keys=True)

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for cookie in await self._save(scope, session_id, before):
                    headers.append("set-cookie", cookie)
                if new_seed is not None:
                    headers.append("set-cookie", self._csrf_cookie(new_seed))
            await send(message)

        await self.app(scope, receive, send_with_session)

    async def _load(self, session_id: str) -> dict[str, Any] | None:
        # Read and extend the idle timeout in one round trip (GETEX, Redis 6.2 and later).
        raw = await self.redis.getex(_key(session_id), ex=self.ttl_s)
        if raw is None:
            return None
        data = json.loads(raw)
        return data if isinstance(data, dict) else None

    async def _save(self, scope: Scope, session_id: str | None, before: str) -> list[str]:
        data = scope["session"]
        rotate = bool(scope.get(_ROTATE))
        if not data:
            if session_id is None:
                return []
            await self.redis.delete(_key(session_id))
            return [self._session_cookie("", max_age=0)]
        if session_id is not None and not rotate:
            if json.dumps(data, sort_keys=True) != before:
                await self.redis.set(_key(session_id), json.dumps(data), ex=self.ttl_s)
            return []
        if session_id is not None:
            await self.redis.delete(_key(session_id))
        new_id = secrets.token_urlsafe(32)
        await self.redis.set(_key(new_id), json.dumps(data), ex=self.ttl_s)
        return [self._session_cookie(new_id, max_age=self.ttl_s)]

    def _session_cookie(self, value: str, *, max_age: int) -> str:
        # Lax, not Strict: the identity provider's redirect back to the portal is a
        # cross-site navigation that must carry the session holding the login's state.
        return _cookie(SESSION_COOKIE, value, max_age=max_age, secure=self.secure, same_site="lax")

    def _csrf_cookie(self, seed: str) -> str:
        return _cookie(
            CSRF_COOKIE, seed, max_age=self.csrf_max_age, secure=self.secure, same_site="strict"
        )


def rotate_session(request: Request) -> None:
    """Give the session a new id when the response is sent (after login: no fixation)."""
    request.scope[_ROTATE] = True


def csrf_token(request: Request) -> str:
    """The token this visitor's forms carry."""
    seed = str(request.scope.get(_CSRF_SEED) or "")
    secret: bytes = request.app.state.csrf_key
    return hmac.new(secret, seed.encode(), hashlib.sha256).hexdigest()


async def verify_csrf(request: Request) -> None:
    """Every unsafe request carries this visitor's token, in the form or in a header."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    seeded = request.cookies.get(CSRF_COOKIE)
    if not seeded or sent is None or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfRefused
