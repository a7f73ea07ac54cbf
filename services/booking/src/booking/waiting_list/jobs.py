"""Open waiting-list offers past their expiry lapse, and the time passes to the next entry.

Restart-safe: the state lives in the offer rows; each batch commits on its own, and rows
another replica holds are skipped."""

from __future__ import annotations

from booking.waiting_list.use_cases import expire_lapsed
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.service import Runtime

BATCH = 50
INTERVAL_S = 300.0


async def expire_offers(units: UnitsOfWork, clock: Clock = utc_now) -> int:
    total = 0
    while True:
        async with units() as uow:
            done = await expire_lapsed(uow, clock(), BATCH)
        total += done
        if done < BATCH:
            return total


def expiry_job(clock: Clock = utc_now) -> PeriodicJob:
    async def run_once(units: UnitsOfWork) -> int:
        return await expire_offers(units, clock)

    return PeriodicJob("waiting_list.expire_offers", run_once, INTERVAL_S)


def waiting_list_jobs(runtime: Runtime) -> list[PeriodicJob]:
    """For `ServiceDefinition.jobs`."""
    return [expiry_job()]
