"""Retention that runs on the read model: copies of residents' own bookings, series and loans
that ended more than `RESIDENT_HISTORY_RETENTION_DAYS` ago are anonymised by the kernel's job
(`samspill.retention`, the same setting and rule as booking's rows), a bounded batch per
transaction, until a batch comes back short.

Restart-safe and idempotent: a copy anonymised carries a marker instead of a person id and is
never picked again. Two replicas skip each other's locked rows.
"""

from __future__ import annotations

from notifications.config import NotificationsSettings
from notifications.personal_data.use_cases import anonymise_resident_history
from samspill.clock import Clock, utc_now
from samspill.jobs import PeriodicJob
from samspill.retention import resident_history_job


def retention_job(settings: NotificationsSettings, clock: Clock = utc_now) -> PeriodicJob:
    """The read model's copies of residents' history, checked every `RETENTION_INTERVAL_S`."""
    return resident_history_job(settings, anonymise_resident_history, clock)
