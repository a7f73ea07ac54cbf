"""How long notifications keeps the read model's copies of residents' own history, as pure
rules: a resident's booking, series or loan that ended more than the period ago keeps the
facts usage needs (space, times, status, items) and loses what names the person, as booking's
own retention does with its rows (which it does not announce)."""

from __future__ import annotations

from datetime import datetime, timedelta

# A loan has ended once returned, cancelled or never collected; one reserved, picked up or
# overdue is still running, however old.
ENDED_LOAN_STATUSES = frozenset({"returned", "cancelled", "no_show"})


def history_cutoff(now: datetime, retention_days: int) -> datetime:
    """A resident's booking or loan that ended before this instant is anonymised; a series
    whose last day is before this instant's (UTC) date."""
    return now - timedelta(days=retention_days)
