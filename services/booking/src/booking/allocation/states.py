"""A round as the event contract's state, for `round.changed` on the moves the allocation
makes (accepted, reopened, results sent)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from booking.allocation.queries import round_space_ids
from booking.rounds.tables import ApplicationRound
from samspill.events import booking as be


async def round_state(session: AsyncSession, rnd: ApplicationRound) -> be.RoundState:
    return be.RoundState(
        round_id=rnd.id,
        name=rnd.name,
        state=rnd.state,  # type: ignore[arg-type]
        applications_open=rnd.applications_open,
        applications_close=rnd.applications_close,
        allocation_until=rnd.allocation_until,
        results_date=rnd.results_date,
        season_first_date=rnd.season_first_date,
        season_last_date=rnd.season_last_date,
        space_ids=await round_space_ids(session, rnd.id),
        weekdays=list(rnd.weekdays),
        evening_start=rnd.evening_start,
        evening_end=rnd.evening_end,
        version=rnd.version,
    )
