"""Idempotency-Key for POST requests, kept in Redis.

A client that retries a POST with the same `Idempotency-Key` gets the first
answer again instead of a second booking or loan. The record is scoped by the
caller (a hash of the Authorization header) and bound to a fingerprint of the
request, so a key reused for a different request is refused.

States of a key in Redis:
- absent: the request runs; an in-flight marker is set with `SET NX`;
- in flight: another request with this key runs now → 409;
- completed: the stored response is replayed (`Idempotent-Replayed: true`).
Responses with status >= 500 are not stored: the marker is removed so a retry runs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.problems import problem_response
from samspill.ratelimit import HIT_LUA, PendingHit, pending_hit, refusal

IDEMPOTENCY_HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
MAX_KEY_LENGTH = 255
REDIS_TIMEOUT_SECONDS = 2.0
_MARKER_ATTEMPTS = 3
# Headers that describe this one transmission rather than the stored answer.
_UNSTORED_HEADERS = frozenset(
    {
        b"date",
        b"server",
        b"set-cookie",
        b"traceparent",
        b"ratelimit-limit",
        b"ratelimit-remaining",
        b"ratelimit-reset",
        REPLAYED_HEADER.encode(),
    }
)

# Replace the marker only while it is still ours: a request that outlived its
# lock must not overwrite or delete the marker of the request that followed it.
_STORE_IF_OWNER = """
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if cjson.decode(current)['token'] ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
end
return 1
"""

# The rate limiter's hit and the claim in one round trip: count the hit (KEYS[1], ARGV[1] the
# window in ms); over the limit (ARGV[2]) nothing more; else set the in-flight marker (KEYS[2],
# ARGV[3], for ARGV[4] seconds) unless the key is taken, and then return its record.
_HIT_AND_CLAIM = (
    HIT_LUA
    + """
if count > tonumber(ARGV[2]) then
  return {count, ttl, 'refused'}
end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'EX', tonumber(ARGV[4])) then
  return {count, ttl, 'claimed'}
end
return {count, ttl, 'taken', redis.call('GET', KEYS[2]) or ''}
"""
)

logger = structlog.get_logger(__name__)
T = TypeVar("T")


class RedisUnavailableError(Exception):
    """Redis did not answer in time or refused the connection."""


@dataclass
class CapturedResponse:
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)

    def record(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))


def _encode_completed(token: str, fingerprint: str, response: CapturedResponse) -> str:
    headers = [
        [name.decode("latin-1"), value.decode("latin-1")]
        for name, value in response.headers
        if name.lower() not in _UNSTORED_HEADERS
    ]
    return json.dumps(
        {
            "state": "completed",
            "token": token,
            "fingerprint": fingerprint,
            "status": response.status,
            "headers": headers,
            "body": base64.b64encode(bytes(response.body)).decode("ascii"),
        }
    )


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole request body, plus the messages read so they can be replayed to the app."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replaying_receive(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _fingerprint(scope: Scope, body: bytes) -> str:
    return _sha256(
        scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body
    )


def _marker(token: str, fingerprint: str) -> str:
    return json.dumps({"state": "in_flight", "token": token, "fingerprint": fingerprint})


def counts_rate_limit_hit(scope: Scope) -> bool:
    """For `RateLimitMiddleware(defer=...)` in front of this middleware: a POST with a usable
    Idempotency-Key, whose rate-limit hit this middleware makes in its claim's round trip."""
    if scope["method"] != "POST":
        return False
    raw_key = _header(scope, IDEMPOTENCY_HEADER.encode())
    if raw_key is None:
        return False
    key = raw_key.decode("latin-1").strip()
    return bool(key) and len(key) <= MAX_KEY_LENGTH


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        redis_getter: Callable[[], Redis],
        namespace: str,
        ttl_seconds: int = 86400,
        lock_seconds: int = 60,
    ) -> None:
        self.app = app
        self.redis_getter = redis_getter
        self.namespace = namespace
        self.ttl_seconds = ttl_seconds
        self.lock_seconds = lock_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        raw_key = _header(scope, IDEMPOTENCY_HEADER.encode())
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            await self._invalid_key(scope, receive, send)
            return
        pending = pending_hit(scope)
        try:
            body, messages = await _read_body(receive)
        except BaseException:
            if pending is not None:
                await pending.hit()  # the refused body still counts
            raise
        replaying = _replaying_receive(messages, receive)
        try:
            if pending is None:
                await self._handle(scope, replaying, send, key, body)
            else:
                await self._handle_counted(scope, replaying, send, key, body, pending)
        except RedisUnavailableError as exc:
            logger.warning("idempotency.redis_unavailable", error=str(exc))
            await self._unavailable(scope, receive, send)

    def redis_key(self, scope: Scope, key: str) -> str:
        caller = _sha256(_header(scope, b"authorization") or b"")[:32]
        return f"{self.namespace}:idempotency:{caller}:{_sha256(key.encode())}"

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, key: str, body: bytes
    ) -> None:
        redis_key = self.redis_key(scope, key)
        fingerprint = _fingerprint(scope, body)
        token = secrets.token_hex(16)
        for _ in range(_MARKER_ATTEMPTS):
            if await self._claim(redis_key, token, fingerprint):
                await self._run_and_store(scope, receive, send, redis_key, token, fingerprint)
                return
            record = await self._redis(lambda r: r.get(redis_key))
            if record is not None:
                await self._answer_existing(scope, receive, send, json.loads(record), fingerprint)
                return
            # The marker vanished between SET NX and GET (a 5xx or expiry): try again.
        await self._in_flight(scope, receive, send)

    async def _handle_counted(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: str,
        body: bytes,
        pending: PendingHit,
    ) -> None:
        """`_handle` with the rate limiter's hit in the same round trip as the claim: over the
        limit, the 429 and nothing claimed; when the key is taken, its record at once."""
        redis_key = self.redis_key(scope, key)
        fingerprint = _fingerprint(scope, body)
        token = secrets.token_hex(16)
        limiter = pending.limiter
        try:
            count, ttl_ms, outcome, *record = await self._redis(
                lambda r: AsyncScript(r, _HIT_AND_CLAIM)(
                    keys=[limiter.key(pending.identity), redis_key],
                    args=[
                        limiter.window_ms,
                        limiter.limit,
                        _marker(token, fingerprint),
                        self.lock_seconds,
                    ],
                )
            )
        except RedisUnavailableError:
            pending.unanswered()  # the limit fails open; the key cannot be checked
            raise
        decision = pending.counted(int(count), int(ttl_ms))
        outcome = outcome.decode() if isinstance(outcome, bytes) else outcome
        if outcome == "refused":
            await refusal(decision, scope["path"])(scope, receive, send)
        elif outcome == "claimed":
            await self._run_and_store(scope, receive, send, redis_key, token, fingerprint)
        elif record and record[0]:
            await self._answer_existing(scope, receive, send, json.loads(record[0]), fingerprint)
        else:  # the marker lapsed as it was read: as `_handle` does, claim again
            await self._handle(scope, receive, send, key, body)

    async def _claim(self, redis_key: str, token: str, fingerprint: str) -> bool:
        marker = _marker(token, fingerprint)
        claimed = await self._redis(
            lambda r: r.set(redis_key, marker, nx=True, ex=self.lock_seconds)
        )
        return bool(claimed)

    async def _run_and_store(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        redis_key: str,
        token: str,
        fingerprint: str,
    ) -> None:
        captured = CapturedResponse()

        async def capturing_send(message: Message) -> None:
            captured.record(message)
            await send(message)

        try:
            await self.app(scope, receive, capturing_send)
        except BaseException:
            await self._release_quietly(redis_key, token)
            raise
        if captured.status == 0 or captured.status >= 500:
            await self._release_quietly(redis_key, token)
            return
        await self._store_quietly(redis_key, token, _encode_completed(token, fingerprint, captured))

    async def _store_quietly(self, redis_key: str, token: str, record: str) -> None:
        # The answer has already gone out; if storing fails the marker simply expires.
        try:
            await self._redis(
                lambda r: AsyncScript(r, _STORE_IF_OWNER)(
                    keys=[redis_key], args=[token, record, self.ttl_seconds]
                )
            )
        except RedisUnavailableError as exc:
            logger.warning("idempotency.store_failed", error=str(exc))

    async def _release_quietly(self, redis_key: str, token: str) -> None:
        try:
            await self._redis(
                lambda r: AsyncScript(r, _STORE_IF_OWNER)(keys=[redis_key], args=[token, "", 0])
            )
        except RedisUnavailableError as exc:
            logger.warning("idempotency.release_failed", error=str(exc))

    async def _answer_existing(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        record: dict[str, Any],
        fingerprint: str,
    ) -> None:
        if record.get("fingerprint") != fingerprint:
            await self._key_reused(scope, receive, send)
        elif record.get("state") == "completed":
            await self._replay(send, record)
        else:
            await self._in_flight(scope, receive, send)

    async def _replay(self, send: Send, record: dict[str, Any]) -> None:
        headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in record["headers"]
        ]
        headers.append((REPLAYED_HEADER.encode(), b"true"))
        await send({"type": "http.response.start", "status": record["status"], "headers": headers})
        await send({"type": "http.response.body", "body": base64.b64decode(record["body"])})

    async def _redis(self, command: Callable[[Redis], Awaitable[T]]) -> T:
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                return await command(self.redis_getter())
        except (RedisError, OSError, TimeoutError) as exc:
            raise RedisUnavailableError(f"{type(exc).__name__}: {exc}") from exc

    async def _invalid_key(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            400,
            "Bad Request",
            f"The Idempotency-Key header must hold 1 to {MAX_KEY_LENGTH} characters.",
            code="idempotency-key-invalid",
            detail_nb=f"Idempotency-Key må ha mellom 1 og {MAX_KEY_LENGTH} tegn.",
            instance=scope["path"],
        )
        await response(scope, receive, send)

    async def _key_reused(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            422,
            "Unprocessable Content",
            "This Idempotency-Key was already used for a different request.",
            code="idempotency-key-reused",
            detail_nb="Denne Idempotency-Key er allerede brukt for en annen forespørsel.",
            instance=scope["path"],
        )
        await response(scope, receive, send)

    async def _in_flight(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            409,
            "Conflict",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency-key-in-flight",
            detail_nb="En forespørsel med denne Idempotency-Key behandles fortsatt; prøv igjen "
            "om litt.",
            headers={"Retry-After": "1"},
            instance=scope["path"],
        )
        await response(scope, receive, send)

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            503,
            "Service Unavailable",
            "Idempotency keys cannot be checked right now; retry later with the same key.",
            code="service-unavailable",
            detail_nb="Idempotency-Key kan ikke sjekkes nå; prøv igjen senere med samme nøkkel.",
            headers={"Retry-After": "5"},
            instance=scope["path"],
        )
        await response(scope, receive, send)
