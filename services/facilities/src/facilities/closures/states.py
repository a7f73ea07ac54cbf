"""Closures as the event-contract state they publish."""

from __future__ import annotations

from typing import Literal, cast

from facilities.closures.tables import ClosureRow
from samspill.events.facilities import ClosureState

ClosureReasonText = Literal["holiday", "exam", "maintenance", "own_event", "emergency"]


def closure_state(row: ClosureRow) -> ClosureState:
    return ClosureState(
        closure_id=row.id,
        site_id=row.site_id,
        space_id=row.space_id,
        start=row.starts_at,
        end=row.ends_at,
        reason=cast(ClosureReasonText, row.reason),
        note=row.note,
    )


def closure_key(row: ClosureRow) -> str:
    """Space closures are ordered with the space's events, whole-site closures with the site's."""
    return str(row.space_id if row.space_id is not None else row.site_id)
