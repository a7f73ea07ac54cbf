"""Given-back time whose hold lapsed passes to the next waiting club, or is released.

Restart-safe: the state lives in the freed time's rows and the Redis holds; each run commits
once, and rows another replica (or an accept) holds are skipped until the next run."""

from __future__ import annotations

from booking.config import BookingSettings
from booking.giving_back.use_cases import Holds, holds_of, pass_on_lapsed
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.service import Runtime

BATCH = 200


async def pass_on(units: UnitsOfWork, holds: Holds, clock: Clock = utc_now) -> int:
    """One pass over the offered time (each freed time is looked at once)."""
    async with units() as uow:
        return await pass_on_lapsed(uow, holds, clock(), BATCH)


def pass_on_job(holds: Holds, interval_s: float, clock: Clock = utc_now) -> PeriodicJob:
    async def run_once(units: UnitsOfWork) -> int:
        return await pass_on(units, holds, clock)

    return PeriodicJob("giving_back.pass_on_lapsed", run_once, interval_s)


def giving_back_jobs(runtime: Runtime) -> list[PeriodicJob]:
    """For `ServiceDefinition.jobs`."""
    settings = runtime.settings
    assert isinstance(settings, BookingSettings)
    return [pass_on_job(holds_of(runtime.redis, settings), settings.give_back_scan_interval_s)]
