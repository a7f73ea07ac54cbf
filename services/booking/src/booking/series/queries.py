"""Reading weekly series: who may reach one, and its occurrences."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.bookings.queries import may_see
from booking.bookings.tables import Booking
from booking.series.tables import BookingSeries
from samspill.auth import Principal
from samspill.errors import NotFound


def may_see_series(principal: Principal, series: BookingSeries) -> bool:
    return may_see(principal, series.organisation_id, series.site_id, series.booker_sub)


async def series_for(
    session: AsyncSession, principal: Principal, series_id: uuid.UUID
) -> BookingSeries:
    series = await session.get(BookingSeries, series_id)
    if series is None or not may_see_series(principal, series):
        raise NotFound(f"Unknown series {series_id}.", f"Ukjent serie {series_id}.")
    return series


async def occurrences(session: AsyncSession, series: BookingSeries) -> Sequence[Booking]:
    """Every booking of the series, earliest first, whatever its status."""
    query = select(Booking).where(col(Booking.series_id) == series.id).order_by(col(Booking.start))
    return (await session.execute(query)).scalars().all()
