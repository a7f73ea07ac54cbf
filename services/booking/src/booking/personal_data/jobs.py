"""Retention that runs: residents' old bookings, series and loans anonymised, old invitations
deleted, a bounded batch per transaction, until a batch comes back short.

Restart-safe and idempotent: a row anonymised carries a marker instead of a person id and is
never picked again; a deleted invitation is gone. Two replicas skip each other's locked rows.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from booking.config import BookingSettings
from booking.personal_data.use_cases import (
    Anonymised,
    anonymise_resident_history,
    delete_old_invitations,
)
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.service import Runtime

log = structlog.get_logger("booking.personal_data.jobs")


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
        if max(batch.bookings, batch.series, batch.loans) < batch_size:
            break
    if found.total:
        log.info(
            "personal_data.history_anonymised",
            bookings=found.bookings,
            series=found.series,
            loans=found.loans,
        )
    return found


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
    batch = settings.retention_batch_size
    interval = settings.retention_interval_s

    async def history(units: UnitsOfWork) -> int:
        found = await anonymise_history_due(
            units, clock(), settings.resident_history_retention_days, batch
        )
        return found.total

    async def invitations(units: UnitsOfWork) -> int:
        return await delete_invitations_due(
            units, clock(), settings.invitation_retention_days, batch
        )

    return [
        PeriodicJob("personal_data.resident_history", history, interval),
        PeriodicJob("personal_data.invitations", invitations, interval),
    ]


def personal_data_jobs(runtime: Runtime) -> list[PeriodicJob]:
    """For `ServiceDefinition.jobs`."""
    settings = runtime.settings
    assert isinstance(settings, BookingSettings)
    return retention_jobs(settings)
