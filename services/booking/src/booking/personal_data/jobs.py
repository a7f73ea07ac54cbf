"""Retention that runs: residents' old bookings, series and loans anonymised (the kernel's
`samspill.retention` job over booking's batch), old invitations deleted, a bounded batch per
transaction, until a batch comes back short.

Restart-safe and idempotent: a row anonymised carries a marker instead of a person id and is
never picked again; a deleted invitation is gone. Two replicas skip each other's locked rows.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from booking.config import BookingSettings
from booking.personal_data.use_cases import anonymise_resident_history, delete_old_invitations
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.retention import Anonymised, resident_history_job
from samspill.retention import anonymise_history_due as _anonymise_due
from samspill.service import Runtime

log = structlog.get_logger("booking.personal_data.jobs")


async def anonymise_history_due(
    units: UnitsOfWork, now: datetime, retention_days: int, batch_size: int
) -> Anonymised:
    return await _anonymise_due(
        units, anonymise_resident_history, now, retention_days, batch_size, service="booking"
    )


async def delete_invitations_due(
    units: UnitsOfWork, now: datetime, retention_days: int, batch_size: int
) -> int:
    deleted = 0
    while True:
        async with units() as uow:
            batch = await delete_old_invitations(uow, now, retention_days, batch_size)
        deleted += batch
        if batch < batch_size:
            break
    if deleted:
        log.info("personal_data.invitations_deleted", invitations=deleted)
    return deleted


def retention_jobs(settings: BookingSettings, clock: Clock = utc_now) -> list[PeriodicJob]:
    async def invitations(units: UnitsOfWork) -> int:
        return await delete_invitations_due(
            units, clock(), settings.invitation_retention_days, settings.retention_batch_size
        )

    return [
        resident_history_job(settings, anonymise_resident_history, clock),
        PeriodicJob("personal_data.invitations", invitations, settings.retention_interval_s),
    ]


def personal_data_jobs(runtime: Runtime) -> list[PeriodicJob]:
    """For `ServiceDefinition.jobs`."""
    settings = runtime.settings
    assert isinstance(settings, BookingSettings)
    return retention_jobs(settings)
