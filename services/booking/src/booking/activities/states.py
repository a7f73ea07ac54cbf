"""A public activity as the event contract's state: what `activity.published` and
`activity.withdrawn` carry (the series' place and time with the club's texts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.activities.tables import PublicActivity
from booking.bookings.queries import load_place
from booking.bookings.states import team_name_of
from booking.organisations.tables import Organisation
from booking.series.tables import BookingSeries
from samspill.events import booking as be


async def activity_state(
    session: AsyncSession, series: BookingSeries, facts: PublicActivity | dict[str, Any]
) -> be.PublicActivityState:
    place = await load_place(session, series.space_id)
    assert series.organisation_id is not None  # only a club's series is ever published
    organisation = await session.get(Organisation, series.organisation_id)
    texts = facts.facts() if isinstance(facts, PublicActivity) else facts
    return be.PublicActivityState(
        series_id=series.id,
        organisation_id=series.organisation_id,
        organisation_name=organisation.name if organisation else "",
        team_name=await team_name_of(session, series.id),
        site_id=place.site.site_id,
        site_name=place.site.name,
        district=place.site.district,
        space_name=place.space.name,
        weekday=series.weekday,
        local_start_time=series.local_start_time,
        local_end_time=series.local_end_time,
        first_date=series.first_date,
        last_date=series.last_date,
        **texts,
    )
