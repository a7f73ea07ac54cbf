"""A series row as the event contract's state: what `series.created` and
`series.team_changed` carry."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.bookings.queries import Place
from booking.bookings.states import PRIVATE_BOOKER_NAME, resident_booker_id, team_name_of
from booking.bookings.tables import Booking
from booking.domain import SkippedOccurrence
from booking.organisations.tables import Organisation
from booking.series.tables import BookingSeries
from samspill.events import booking as be


def series_state(
    place: Place,
    series: BookingSeries,
    states: list[be.BookingState],
    skipped: list[SkippedOccurrence],
) -> be.SeriesState:
    first = states[0]
    return be.SeriesState(
        series_id=series.id,
        space_id=place.space.space_id,
        space_name=place.space.name,
        site_id=place.site.site_id,
        site_name=place.site.name,
        organisation_id=first.organisation_id,
        organisation_name=first.organisation_name,
        activity=series.activity,
        weekday=series.weekday,
        local_start_time=series.local_start_time,
        local_end_time=series.local_end_time,
        first_date=series.first_date,
        last_date=series.last_date,
        booking_ids=[state.booking_id for state in states],
        skipped=[
            be.SkippedOccurrence(date=s.date, reason=s.reason.value, detail=s.detail_nb)
            for s in skipped
        ],
        created_at=series.created_at,
        resident_id=first.resident_id,
        contact=first.contact,
        round_id=series.round_id,
        team_name=first.team_name,
    )


async def stored_series_state(
    session: AsyncSession, place: Place, series: BookingSeries
) -> be.SeriesState:
    """The state of a stored series as it is now: every occurrence, the skipped dates as they
    were stored, and its team."""
    organisation = (
        None
        if series.organisation_id is None
        else await session.get(Organisation, series.organisation_id)
    )
    booking_ids = await session.execute(
        select(col(Booking.id))
        .where(col(Booking.series_id) == series.id)
        .order_by(col(Booking.start))
    )
    return be.SeriesState(
        series_id=series.id,
        space_id=place.space.space_id,
        space_name=place.space.name,
        site_id=place.site.site_id,
        site_name=place.site.name,
        organisation_id=series.organisation_id or resident_booker_id(series.booker_sub),
        organisation_name=organisation.name if organisation else PRIVATE_BOOKER_NAME,
        activity=series.activity,
        weekday=series.weekday,
        local_start_time=series.local_start_time,
        local_end_time=series.local_end_time,
        first_date=series.first_date,
        last_date=series.last_date,
        booking_ids=list(booking_ids.scalars()),
        skipped=[
            be.SkippedOccurrence(date=s["date"], reason=s["reason"], detail=s["detail_nb"])
            for s in series.skipped
        ],
        created_at=series.created_at,
        resident_id=None if series.organisation_id else series.booker_sub,
        contact=None if series.contact is None else be.Contact.model_validate(series.contact),
        round_id=series.round_id,
        team_name=await team_name_of(session, series.id),
    )
