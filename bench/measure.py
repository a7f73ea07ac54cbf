"""Timing: latency samples, percentiles, and a bounded pool of concurrent clients."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

Job = Callable[[], Awaitable[str]]
"""One request; answers an outcome label such as "201" or "409" (the status code)."""


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Timing:
    """Latencies (seconds) of one measurement and how each request ended."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0
    timed_out: bool = False
    # The latencies of the requests sent first, one per client, all at once (`run_concurrently`).
    first_wave: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.wall_s if self.wall_s > 0 else 0.0

    def ms(self, pct: float) -> float:
        return percentile(self.latencies, pct) * 1000

    def first_wave_ms(self, pct: float) -> float:
        return percentile(self.first_wave, pct) * 1000

    def after_first_wave_ms(self, pct: float) -> float:
        """The percentile of the requests sent once the clients were each waiting for one."""
        rest = list(self.latencies)
        for latency in self.first_wave:
            rest.remove(latency)
        return percentile(rest, pct) * 1000

    def summary(self, *pcts: float) -> dict[str, Any]:
        figures: dict[str, Any] = {
            "requests": self.count,
            "wall_s": round(self.wall_s, 3),
            "per_s": round(self.throughput, 1),
            "outcomes": dict(sorted(self.outcomes.items())),
        }
        for pct in pcts:
            figures[f"p{pct:g}_ms"] = round(self.ms(pct), 2)
        if self.timed_out:
            figures["timed_out"] = True
        return figures


async def run_concurrently(
    clients: int, jobs: Iterator[Job], count: int, timeout_s: float
) -> Timing:
    """`clients` workers take jobs until `count` ran or `timeout_s` passed; each job is timed."""
    timing = Timing()
    remaining = count
    deadline = time.monotonic() + timeout_s

    def take() -> Job | None:
        nonlocal remaining
        if remaining <= 0 or time.monotonic() > deadline:
            timing.timed_out = timing.timed_out or remaining > 0
            return None
        remaining -= 1
        return next(jobs, None)

    async def worker() -> None:
        first = True
        while (job := take()) is not None:
            started = time.perf_counter()
            outcome = await job()
            latency = time.perf_counter() - started
            timing.latencies.append(latency)
            timing.outcomes[outcome] += 1
            if first:
                timing.first_wave.append(latency)
                first = False

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    timing.wall_s = time.perf_counter() - started
    return timing


async def run_sequentially(jobs: Iterator[Job], count: int, timeout_s: float) -> Timing:
    return await run_concurrently(1, jobs, count, timeout_s)


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout_s: float, interval_s: float, what: str
) -> T:
    """Poll `probe` until it answers something other than None; TimeoutError after timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {timeout_s:.0f} s")
        await asyncio.sleep(interval_s)
