"""Bounded concurrent load with every answer recorded on the client's clock.

The invariant checks need to know, for each answer, what the client had been told before it
sent the request and what it might not yet have been told: `Call.sent` and `Call.received`
(monotonic seconds) give that order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.reliability.stack import Stack

WORKERS_TIMEOUT_S = 300.0


@dataclass
class Call:
    kind: str
    request: dict[str, Any]
    sent: float
    received: float = 0.0
    status: int | None = None  # None: no answer (connection refused or dropped)
    body: Any = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def code(self) -> str | None:
        """The problem code of an error answer: the last segment of its problem+json `type`."""
        if not isinstance(self.body, dict) or not isinstance(self.body.get("type"), str):
            return None
        return str(self.body["type"]).rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Recorder:
    stack: Stack
    calls: list[Call] = field(default_factory=list)

    async def send(
        self,
        kind: str,
        method: str,
        service: str,
        path: str,
        token: str,
        body: dict[str, Any] | None = None,
        **meta: Any,
    ) -> Call:
        call = Call(kind, {"path": path, "body": body, **meta}, time.monotonic())
        self.calls.append(call)
        try:
            response = await self.stack.request(method, service, path, token, json=body)
        except httpx.TransportError:
            call.received = time.monotonic()
            return call
        call.received = time.monotonic()
        call.status = response.status_code
        try:
            call.body = response.json() if response.content else None
        except ValueError:
            call.body = response.text
        return call

    def of(self, kind: str) -> list[Call]:
        return [call for call in self.calls if call.kind == kind]

    def server_errors(self) -> list[Call]:
        return [call for call in self.calls if call.status is not None and call.status >= 500]


async def run_workers(
    workers: int,
    count: int,
    operation: Callable[[int], Awaitable[None]],
    *,
    timeout: float = WORKERS_TIMEOUT_S,
) -> None:
    """`workers` tasks share `operation(0)` … `operation(count - 1)` until all have run.

    How fast is for `make bench`; `timeout` only bounds a hang, far above a slow machine.
    """
    counter = iter(range(count))
    done = 0

    async def worker() -> None:
        nonlocal done
        for number in counter:
            await operation(number)
            done += 1

    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(*(worker() for _ in range(workers)))
    except TimeoutError:
        raise AssertionError(f"{done} of {count} operations ran within {timeout} s") from None
