"""Retention that runs on the read model: copies of residents' own bookings, series and loans
that ended more than `RESIDENT_HISTORY_RETENTION_DAYS` ago are anonymised, a bounded batch per
transaction, until a batch comes back short.

Restart-safe and idempotent: a copy anonymised carries a marker instead of a person id and is
never picked again. Two replicas skip each other's locked rows.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from notifications.config import NotificationsSettings
from notifications.personal_data.use_cases import Anonymised, anonymise_resident_history
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob

log = structlog.get_logger("notifications.personal_data.jobs")


async def anonymise_history_due(
    units: UnitsOfWork, now: datetime, retention_days: int, batch_size: int
) -> Anonymised:
    found = Anonymised()
    while True:
        async with units() as uow:
            batch = await anonymise_resident_history(uow, now, retention_days, batch_size)
        found.bookings += batch.bookings
        found.series += batch.series
        found.loans += batch.loans
        if batch.largest < batch_size:
            break
    if found.total:
        log.info(
            "personal_data.history_anonymised",
            bookings=found.bookings,
            series=found.series,
            loans=found.loans,
        )
    return found


def retention_job(settings: NotificationsSettings, clock: Clock = utc_now) -> PeriodicJob:
    """The read model's copies of residents' history, checked every `RETENTION_INTERVAL_S`."""

    async def history(units: UnitsOfWork) -> int:
        found = await anonymise_history_due(
            units,
            clock(),
            settings.resident_history_retention_days,
            settings.retention_batch_size,
        )
        return found.total

    return PeriodicJob("personal_data.resident_history", history, settings.retention_interval_s)
