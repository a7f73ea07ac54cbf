"""The bench's client pool: every job is timed, and the first wave (one job per client, sent
together) is told apart from the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from bench.measure import Job, percentile, run_concurrently


def _jobs(delays: Iterator[float]) -> Iterator[Job]:
    for delay in delays:

        async def job(delay: float = delay) -> str:
            await asyncio.sleep(delay)
            return "201"

        yield job


def test_the_first_wave_is_one_job_per_client_and_the_rest_excludes_it() -> None:
    # Four clients; the first four jobs are slow, the next eight quick.
    delays = iter([0.2] * 4 + [0.001] * 8)
    timing = asyncio.run(run_concurrently(4, _jobs(delays), 12, timeout_s=10))
    assert timing.count == 12
    assert timing.outcomes == {"201": 12}
    assert len(timing.first_wave) == 4
    assert min(timing.first_wave) >= 0.2
    assert timing.first_wave_ms(0) >= 200
    assert timing.after_first_wave_ms(100) < 200
    assert timing.ms(99) >= 200


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 99) == 0.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([float(n) for n in range(1, 101)], 99) == 99.0
