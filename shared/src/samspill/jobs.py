"""Periodic jobs: one runner for every service's time-driven work.

A job is a name, an interval and `run_once(units)`, which does one run's work through units of
work it opens from `units` (a batch, a site or a message per transaction, as the job needs;
each commits on its own and wakes the relay when it published) and returns how much it did.
The runner repeats it until `stop` is set: the interval apart, with jitter so replicas and
services do not run in step; after a failure sooner at first and then backing off, so a
database that is away is neither hammered nor forgotten for a whole interval. Every run is
counted in `job_runs_total{job, outcome}`, the time of its last good run is
`job_last_success_timestamp_seconds{job}`, and a failure is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from samspill.db import UnitsOfWork
from samspill.observability import Metrics

log = structlog.get_logger("samspill.jobs")

JobRun = Callable[[UnitsOfWork], Awaitable[int]]
"""One run of a job: does the work due now and returns how much it did (rows, messages…)."""


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run_once: JobRun
    interval_s: float
    # Another run at once when this one did something (a queue that may have more waiting).
    again_when_busy: bool = False
    jitter: float = 0.1  # each wait is the delay ± this fraction of it
    first_retry_s: float = 1.0
    max_backoff_s: float = 60.0  # the longest wait after failures, unless the interval is longer


class JobRunner:
    """Runs one periodic job until stopped; a worker of the service's `scheduler` process."""

    def __init__(
        self,
        job: PeriodicJob,
        units: UnitsOfWork,
        metrics: Metrics | None = None,
        *,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.job = job
        self._units = units
        self._rng = rng
        metrics = metrics or Metrics()
        self._runs = metrics.counter(
            "job_runs_total", "Runs of the periodic jobs, by job and outcome.", ("job", "outcome")
        )
        self._last_success = metrics.gauge(
            "job_last_success_timestamp_seconds",
            "Unix time of the job's last run that did not fail.",
            ("job",),
        )
        self.failures = 0  # consecutive failed runs

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            done = await self.run_once()
            if self.failures == 0 and done and self.job.again_when_busy:
                await asyncio.sleep(0)  # let others run between busy passes
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.next_delay_s())

    async def run_once(self) -> int:
        """One run, counted and logged; a failure is absorbed (the next run tries again)."""
        try:
            done = await self.job.run_once(self._units)
        except Exception as exc:
            self.failures += 1
            self._runs.labels(job=self.job.name, outcome="failed").inc()
            log.warning(
                "job.failed",
                job=self.job.name,
                error=repr(exc),
                failures=self.failures,
                retry_in_s=round(self._base_delay_s(), 3),
            )
            return 0
        self.failures = 0
        self._runs.labels(job=self.job.name, outcome="ok").inc()
        self._last_success.labels(job=self.job.name).set_to_current_time()
        if done:
            log.info("job.ran", job=self.job.name, done=done)
        return done

    def next_delay_s(self) -> float:
        return self._base_delay_s() * (1 + self.job.jitter * (2 * self._rng() - 1))

    def _base_delay_s(self) -> float:
        job = self.job
        if self.failures == 0:
            return job.interval_s
        backoff = job.first_retry_s * 2.0 ** (self.failures - 1)
        return min(backoff, max(job.interval_s, job.max_backoff_s))


__all__ = ["JobRun", "JobRunner", "PeriodicJob"]
