"""Fixed-window rate limiting in Redis, with an ASGI middleware.

Each identity (a caller's verified token subject, else its IP address) gets
`limit` requests per window. One Lua script increments the counter and starts the
window atomically, so concurrent requests across replicas count exactly once.
When Redis cannot be reached the limiter lets requests through: rate limiting
protects the service, it must not take it down.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.auth import optional_identity
from samspill.errors import Unauthorized
from samspill.problems import problem_response

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
REDIS_TIMEOUT_SECONDS = 1.0

# Returns {count in this window, milliseconds until the window ends}.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after: int
    limit: int = 0
    reset_after: int = 0


def _ceil_seconds(milliseconds: int) -> int:
    return max(1, -(-milliseconds // 1000))


class RateLimiter:
    def __init__(
        self,
        redis_getter: Callable[[], Redis],
        *,
        namespace: str,
        limit: int,
        window_seconds: int,
    ) -> None:
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be at least 1")
        self.redis_getter = redis_getter
        self.namespace = namespace
        self.limit = limit
        self.window_seconds = window_seconds

    def key(self, identity: str) -> str:
        return f"{self.namespace}:ratelimit:{identity}"

    async def hit(self, identity: str) -> RateDecision:
        """Count one request for `identity`; raises RedisError/TimeoutError when Redis is down."""
        async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
            result = await AsyncScript(self.redis_getter(), _HIT_SCRIPT)(
                keys=[self.key(identity)], args=[self.window_seconds * 1000]
            )
        count, ttl_ms = int(result[0]), int(result[1])
        reset_after = _ceil_seconds(ttl_ms)
        allowed = count <= self.limit
        return RateDecision(
            allowed=allowed,
            remaining=max(0, self.limit - count),
            retry_after=0 if allowed else reset_after,
            limit=self.limit,
            reset_after=reset_after,
        )


def _short_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def client_address(request: Request) -> str:
    """The caller's address: the TCP peer, or what a trusted proxy forwarded (the app factory's
    proxy-header middleware rewrote the peer then). An IPv6 caller owns its whole /64, so that
    network is one address here."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a Unix socket, or whatever a trusted proxy forwarded
        return f"other:{_short_hash(host)}"
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, 64), strict=False))


async def default_identity(request: Request) -> str:
    """The verified token's subject, else (no token, or one that fails verification) the
    client address: a forged token never buys a budget of its own."""
    try:
        identity = await optional_identity(request)
    except Unauthorized:
        identity = None
    if identity is not None:
        return f"sub:{_short_hash(identity.person_id)}"
    return f"ip:{client_address(request)}"


def rate_limit_headers(decision: RateDecision) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_after),
    }


def _with_headers(send: Send, extra: dict[str, str]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in extra.items():
                headers[name] = value
        await send(message)

    return send_with_headers


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter_getter: Callable[[], RateLimiter],
        identity: Callable[[Request], Awaitable[str]] = default_identity,
        exempt_paths: Iterable[str] = EXEMPT_PATHS,
    ) -> None:
        self.app = app
        self.limiter_getter = limiter_getter
        self.identity = identity
        self.exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        decision = await self._decide(Request(scope))
        if decision is None:
            await self.app(scope, receive, send)
        elif decision.allowed:
            await self.app(scope, receive, _with_headers(send, rate_limit_headers(decision)))
        else:
            await self._refuse(scope, receive, send, decision)

    async def _decide(self, request: Request) -> RateDecision | None:
        try:
            return await self.limiter_getter().hit(await self.identity(request))
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("ratelimit.redis_unavailable", error=f"{type(exc).__name__}: {exc}")
            return None

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, decision: RateDecision
    ) -> None:
        response = problem_response(
            429,
            "Too Many Requests",
            f"Too many requests; try again in {decision.retry_after} seconds.",
            code="too-many-requests",
            detail_nb=f"For mange forespørsler; prøv igjen om {decision.retry_after} sekunder.",
            headers={"Retry-After": str(decision.retry_after), **rate_limit_headers(decision)},
            instance=scope["path"],
        )
        await response(scope, receive, send)
