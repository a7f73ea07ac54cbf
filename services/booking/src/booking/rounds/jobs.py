"""Rounds open and close by their dates, moved on by a periodic job.

Restart-safe and idempotent: the state lives in the round rows only. Each run moves due rounds
a batch per unit of work (`use_cases.move_due_rounds`), recording `round.changed` in the outbox
in the same transaction, so a second run or another replica finds nothing left to do.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog

from booking.config import BookingSettings
from booking.rounds.use_cases import move_due_rounds
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.service import Runtime

log = structlog.get_logger("booking.rounds.jobs")

BATCH_SIZE = 50


async def move_rounds_due(
    units: UnitsOfWork, now: datetime, batch_size: int = BATCH_SIZE
) -> list[uuid.UUID]:
    """Opens upcoming rounds on their opening day and sends open rounds to allocation the day
    after they close (Oslo days); a batch per transaction. The rounds moved."""
    moved: list[uuid.UUID] = []
    while True:
        async with units() as uow:
            batch = await move_due_rounds(uow, now, batch_size)
        moved.extend(batch)
        if len(batch) < batch_size:
            break
    if moved:
        log.info("rounds.moved", rounds=len(moved))
    return moved


def round_states_job(settings: BookingSettings, clock: Clock = utc_now) -> PeriodicJob:
    async def run_once(units: UnitsOfWork) -> int:
        return len(await move_rounds_due(units, clock()))

    return PeriodicJob("rounds.states", run_once, settings.rounds_scheduler_interval_s)


def rounds_jobs(runtime: Runtime) -> list[PeriodicJob]:
    """For `ServiceDefinition.jobs`."""
    settings = runtime.settings
    assert isinstance(settings, BookingSettings)
    return [round_states_job(settings)]
