"""A series row as the event contract's state: what `series.created` carries."""

from __future__ import annotations

from booking.bookings.queries import Place
from booking.domain import SkippedOccurrence
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
        created_at=first.created_at,
        resident_id=first.resident_id,
        contact=first.contact,
        round_id=series.round_id,
    )
