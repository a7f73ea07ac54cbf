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
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.auth import optional_identity
from samspill.errors import Unauthorized
from samspill.problems import problem_response

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
PENDING_HIT = "samspill.pending_rate_hit"  # the scope key of a `PendingHit`
REDIS_TIMEOUT_SECONDS = 1.0

# Counts a hit on the counter KEYS[1] of a window of ARGV[1] ms: leaves `count` (in this
# window) and `ttl` (milliseconds until the window ends). A script that counts and does more
# (`samspill.idempotency`) starts with these lines.
HIT_LUA = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
"""
_HIT_SCRIPT = HIT_LUA + "return {count, ttl}\n"

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
        self._hit_script: AsyncScript | None = None

    def key(self, identity: str) -> str:
        return f"{self.namespace}:ratelimit:{identity}"

    @property
    def window_ms(self) -> int:
        return self.window_seconds * 1000

    async def hit(self, identity: str) -> RateDecision:
        """Count one request for `identity`; raises RedisError/TimeoutError when Redis is down."""
        redis = self.redis_getter()
        async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
            result = await self._script(redis)(
                keys=[self.key(identity)], args=[self.window_ms], client=redis
            )
        return self.decision(int(result[0]), int(result[1]))

    def _script(self, redis: Redis) -> AsyncScript:
        """The hit's script, its digest worked out once (it runs on whichever client is
        current: `redis_getter` may hand out another one later)."""
        if self._hit_script is None:
            self._hit_script = AsyncScript(redis, _HIT_SCRIPT)
        return self._hit_script

    def decision(self, count: int, ttl_ms: int) -> RateDecision:
        """The decision for the `count`th request of a window ending in `ttl_ms`."""
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


@dataclass
class PendingHit:
    """A request's hit, left to a middleware further in that makes it together with its own
    Redis command in one round trip (`samspill.idempotency`): it records the `decision` (None
    when Redis did not answer: the limit fails open) or, where it cannot, calls `hit`."""

    limiter: RateLimiter
    identity: str
    decision: RateDecision | None = None
    done: bool = False

    def counted(self, count: int, ttl_ms: int) -> RateDecision:
        self.decision = self.limiter.decision(count, ttl_ms)
        self.done = True
        return self.decision

    def unanswered(self) -> None:
        self.done = True

    async def hit(self) -> RateDecision | None:
        if not self.done:
            self.decision = await _hit_or_none(self.limiter, self.identity)
            self.done = True
        return self.decision


def pending_hit(scope: Scope) -> PendingHit | None:
    """The hit the rate limiter left to this middleware, if it left one."""
    pending = scope.get(PENDING_HIT)
    return pending if isinstance(pending, PendingHit) else None


async def _hit_or_none(limiter: RateLimiter, identity: str) -> RateDecision | None:
    try:
        return await limiter.hit(identity)
    except (RedisError, OSError, TimeoutError) as exc:
        logger.warning("ratelimit.redis_unavailable", error=f"{type(exc).__name__}: {exc}")
        return None


def refusal(decision: RateDecision, path: str) -> Response:
    """The 429 for a caller over its limit."""
    return problem_response(
        429,
        "Too Many Requests",
        f"Too many requests; try again in {decision.retry_after} seconds.",
        code="too-many-requests",
        detail_nb=f"For mange forespørsler; prøv igjen om {decision.retry_after} sekunder.",
        headers={"Retry-After": str(decision.retry_after), **rate_limit_headers(decision)},
        instance=path,
    )


class RateLimitMiddleware:
    """Counts every request but the exempt paths; over the limit, 429.

    With `defer` (a predicate on the request's scope) a request it holds is counted further in
    (see `PendingHit`); its answer still carries the limit's headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter_getter: Callable[[], RateLimiter],
        identity: Callable[[Request], Awaitable[str]] = default_identity,
        exempt_paths: Iterable[str] = EXEMPT_PATHS,
        defer: Callable[[Scope], bool] | None = None,
    ) -> None:
        self.app = app
        self.limiter_getter = limiter_getter
        self.identity = identity
        self.exempt_paths = frozenset(exempt_paths)
        self.defer = defer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        if self.defer is not None and self.defer(scope):
            await self._deferred(scope, receive, send)
            return
        decision = await self._decide(Request(scope))
        if decision is None:
            await self.app(scope, receive, send)
        elif decision.allowed:
            await self.app(scope, receive, _with_headers(send, rate_limit_headers(decision)))
        else:
            await self._refuse(scope, receive, send, decision)

    async def _decide(self, request: Request) -> RateDecision | None:
        return await _hit_or_none(self.limiter_getter(), await self.identity(request))

    async def _deferred(self, scope: Scope, receive: Receive, send: Send) -> None:
        pending = PendingHit(self.limiter_getter(), await self.identity(Request(scope)))
        scope[PENDING_HIT] = pending

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                decision = await pending.hit()  # made here if nothing further in made it
                if decision is not None and decision.allowed:
                    headers = MutableHeaders(scope=message)
                    for name, value in rate_limit_headers(decision).items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, decision: RateDecision
    ) -> None:
        await refusal(decision, scope["path"])(scope, receive, send)
