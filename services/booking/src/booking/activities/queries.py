"""Reading a series' public activity and what its club's members could be named by."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.activities.tables import PublicActivity
from booking.bookings.queries import ACTIVE_STATUSES
from booking.bookings.tables import Booking
from booking.memberships.tables import Membership
from booking.people.tables import Profile
from samspill.errors import NotFound


def not_public(series_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Series {series_id} is not a public activity.",
        f"Serien {series_id} er ikke en offentlig aktivitet.",
    )


async def public_activity(
    session: AsyncSession, series_id: uuid.UUID, *, lock: bool = False
) -> PublicActivity | None:
    return await session.get(PublicActivity, series_id, with_for_update=lock)


async def members_personal(
    session: AsyncSession, organisation_id: uuid.UUID
) -> tuple[list[str], list[str]]:
    """The club's members' personal emails and names (from their profiles)."""
    query = (
        select(col(Profile.email), col(Profile.display_name))
        .join(Membership, col(Membership.person_id) == col(Profile.person_id))
        .where(col(Membership.organisation_id) == organisation_id)
    )
    rows = (await session.execute(query)).all()
    return [email for email, _ in rows if email], [name for _, name in rows if name]


async def has_dates_left(session: AsyncSession, series_id: uuid.UUID, now: datetime) -> bool:
    """Whether an occurrence of the series is still to come (requested or confirmed)."""
    query = select(col(Booking.id)).where(
        col(Booking.series_id) == series_id,
        col(Booking.status).in_(ACTIVE_STATUSES),
        col(Booking.end) > now,
    )
    return (await session.execute(query.limit(1))).first() is not None
