"""The kernel's periodic-job runner: interval with jitter, backoff after failures, a stop that
ends it, and the runs counted by outcome."""

from __future__ import annotations

import asyncio

import pytest

from samspill.db import UnitsOfWork
from samspill.jobs import JobRunner, PeriodicJob
from samspill.observability import Metrics
from tests.support import eventually


def no_units() -> UnitsOfWork:
    def units():  # the jobs below open none
        raise AssertionError("not used")

    return units


def runs(metrics: Metrics, job: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value("job_runs_total", {"job": job, "outcome": outcome})
    return value or 0.0


async def test_a_failing_job_backs_off_recovers_and_is_counted() -> None:
    outcomes = iter([RuntimeError("database away"), RuntimeError("still away"), 3, 0])
    seen = 0

    async def run_once(units: UnitsOfWork) -> int:
        nonlocal seen
        seen += 1
        outcome = next(outcomes, 0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    metrics = Metrics()
    job = PeriodicJob("test.job", run_once, interval_s=0.01, first_retry_s=0.01)
    runner = JobRunner(job, no_units(), metrics)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))

    async def five_runs() -> bool:
        return seen >= 5

    await eventually(five_runs)
    stop.set()
    await task  # the stop event ends the runner
    assert runs(metrics, "test.job", "failed") == 2
    assert runs(metrics, "test.job", "ok") >= 3
    assert runner.failures == 0


@pytest.mark.parametrize(
    ("interval", "failures", "expected"),
    [(600, 0, 600.0), (600, 1, 1.0), (600, 2, 2.0), (600, 3, 4.0), (600, 20, 600.0), (1, 20, 60.0)],
)
def test_waits_are_the_interval_or_a_capped_doubling_after_failures(
    interval: float, failures: int, expected: float
) -> None:
    async def run_once(units: UnitsOfWork) -> int:
        return 0

    job = PeriodicJob("j", run_once, interval_s=interval, jitter=0.0, max_backoff_s=60)
    runner = JobRunner(job, no_units(), rng=lambda: 0.5)
    runner.failures = failures
    assert runner.next_delay_s() == expected


def test_a_long_interval_caps_the_backoff_and_jitter_spreads_the_wait() -> None:
    async def run_once(units: UnitsOfWork) -> int:
        return 0

    job = PeriodicJob("j", run_once, interval_s=6 * 3600, jitter=0.1)
    runner = JobRunner(job, no_units(), rng=lambda: 1.0)
    assert runner.next_delay_s() == pytest.approx(6 * 3600 * 1.1)
    runner.failures = 40
    assert runner.next_delay_s() == pytest.approx(6 * 3600 * 1.1)
    assert JobRunner(job, no_units(), rng=lambda: 0.0).next_delay_s() == pytest.approx(
        6 * 3600 * 0.9
    )


async def test_a_busy_job_runs_again_at_once() -> None:
    queue = [1, 1, 1, 0]
    seen = 0

    async def run_once(units: UnitsOfWork) -> int:
        nonlocal seen
        seen += 1
        return queue.pop(0) if queue else 0

    job = PeriodicJob("busy", run_once, interval_s=3600, again_when_busy=True)
    stop = asyncio.Event()
    task = asyncio.create_task(JobRunner(job, no_units()).run(stop))

    async def four_runs() -> bool:
        return seen == 4

    await eventually(four_runs)
    stop.set()
    await task
    assert seen == 4  # the idle run waits the (hour-long) interval
