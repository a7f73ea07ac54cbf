"""Residents' own history ages out alike in booking and notifications.

A resident's own booking, series or loan that ended more than `RESIDENT_HISTORY_RETENTION_DAYS`
ago keeps the facts usage needs and loses what names the person: booking anonymises its rows,
notifications its copies of them (booking does not announce it, so the copies age out by the
same setting and the same rule here). Each service anonymises one batch of its own rows in a
transaction (`AnonymiseBatch`); the job here repeats that until a batch comes back short.

Restart-safe and idempotent: a row anonymised carries a marker instead of a person id and is
never picked again; two replicas skip each other's locked rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from samspill.clock import Clock, utc_now
from samspill.db import UnitOfWork, UnitsOfWork
from samspill.jobs import PeriodicJob
from samspill.settings import ResidentServiceSettings

RESIDENT_HISTORY_JOB = "personal_data.resident_history"

# A loan has ended once returned, cancelled or never collected; one reserved, picked up or
# overdue is still running, however old.
ENDED_LOAN_STATUSES = frozenset({"returned", "cancelled", "no_show"})


def history_cutoff(now: datetime, retention_days: int) -> datetime:
    """A resident's booking or loan that ended before this instant is anonymised; a series
    whose last day is before this instant's (UTC) date."""
    return now - timedelta(days=retention_days)


def by_person(owned: Iterable[tuple[uuid.UUID, str]]) -> dict[str, list[uuid.UUID]]:
    """Rows due (their id, their person's id) by person: each person's rows get their marker."""
    found: dict[str, list[uuid.UUID]] = defaultdict(list)
    for row_id, person in owned:
        found[person].append(row_id)
    return found


@dataclass
class Anonymised:
    """How many of a resident's bookings, series and loans one batch (or run) anonymised."""

    bookings: int = 0
    series: int = 0
    loans: int = 0

    @property
    def total(self) -> int:
        return self.bookings + self.series + self.loans

    @property
    def largest(self) -> int:
        return max(self.bookings, self.series, self.loans)

    def add(self, batch: Anonymised) -> None:
        self.bookings += batch.bookings
        self.series += batch.series
        self.loans += batch.loans


AnonymiseBatch = Callable[[UnitOfWork, datetime, int, int], Awaitable[Anonymised]]
"""One batch in one unit of work, which it commits: `(uow, now, retention_days, batch_size)`."""


async def anonymise_history_due(
    units: UnitsOfWork,
    anonymise: AnonymiseBatch,
    now: datetime,
    retention_days: int,
    batch_size: int,
    *,
    service: str,
) -> Anonymised:
    """Batches of `anonymise`, each in a unit of work of its own, until one comes back short."""
    found = Anonymised()
    while True:
        async with units() as uow:
            batch = await anonymise(uow, now, retention_days, batch_size)
        found.add(batch)
        if batch.largest < batch_size:
            break
    if found.total:
        structlog.get_logger(f"{service}.personal_data.jobs").info(
            "personal_data.history_anonymised",
            bookings=found.bookings,
            series=found.series,
            loans=found.loans,
        )
    return found


def resident_history_job(
    settings: ResidentServiceSettings, anonymise: AnonymiseBatch, clock: Clock = utc_now
) -> PeriodicJob:
    """The service's residents' history, checked every `RETENTION_INTERVAL_S`."""

    async def history(units: UnitsOfWork) -> int:
        found = await anonymise_history_due(
            units,
            anonymise,
            clock(),
            settings.resident_history_retention_days,
            settings.retention_batch_size,
            service=settings.service_name,
        )
        return found.total

    return PeriodicJob(RESIDENT_HISTORY_JOB, history, settings.retention_interval_s)


__all__ = [
    "ENDED_LOAN_STATUSES",
    "RESIDENT_HISTORY_JOB",
    "AnonymiseBatch",
    "Anonymised",
    "anonymise_history_due",
    "by_person",
    "history_cutoff",
    "resident_history_job",
]
