"""The periodic roll-forward of public-holiday closures."""

from __future__ import annotations

from datetime import datetime

from facilities.closures.use_cases import sync_site_holidays
from facilities.sites.queries import sites_closed_on_holidays
from samspill.clock import Clock
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob

HOLIDAY_SYNC_INTERVAL_S = 6 * 3600


async def roll_holiday_closures(units: UnitsOfWork, now: datetime) -> int:
    """Keeps every flagged site's holiday closures two years ahead; safe to run anywhere.

    Each site is synced in its own unit of work (see `sync_site_holidays`), so restarts and
    parallel replicas do no harm. Returns how many closures changed.
    """
    async with units() as uow:
        ids = await sites_closed_on_holidays(uow.session)
    changed = 0
    for site_id in ids:
        async with units() as uow:
            changed += await sync_site_holidays(uow, site_id, now)
    return changed


def holiday_closures_job(clock: Clock) -> PeriodicJob:
    async def run_once(units: UnitsOfWork) -> int:
        return await roll_holiday_closures(units, clock())

    return PeriodicJob("facilities.holiday_closures", run_once, HOLIDAY_SYNC_INTERVAL_S)
