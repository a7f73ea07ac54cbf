"""A round row as the event contract's state: what `round.changed` carries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from booking.rounds.tables import ApplicationRound
from samspill.events import booking as be


def round_state(round_: ApplicationRound, space_ids: Iterable[uuid.UUID]) -> be.RoundState:
    return be.RoundState(
        round_id=round_.id,
        name=round_.name,
        state=round_.state,
        applications_open=round_.applications_open,
        applications_close=round_.applications_close,
        allocation_until=round_.allocation_until,
        results_date=round_.results_date,
        season_first_date=round_.season_first_date,
        season_last_date=round_.season_last_date,
        space_ids=sorted(space_ids, key=str),
        weekdays=sorted(round_.weekdays),
        evening_start=round_.evening_start,
        evening_end=round_.evening_end,
        version=round_.version,
    )


def changed(
    round_: ApplicationRound, space_ids: Iterable[uuid.UUID], previous: str | None
) -> be.RoundChanged:
    """The event of a created (`previous` None), changed or moved round."""
    return be.RoundChanged(
        round=round_state(round_, space_ids),
        previous_state=previous,
    )
