"""Pages of the aggregates whose states go to `samspill.booking.state`, in key order.

Keyset pagination: each page starts after the last key of the one before, so a page costs the
same however far the backfill is, and rows added or removed meanwhile move nothing. A page's rows
are read `FOR SHARE`: a change to one of them waits for the page's transaction (or the page
waits for the change), so a state queued by the backfill never follows a newer one in the
outbox.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.activities.tables import PublicActivity
from booking.bookings.tables import Booking
from booking.lending.tables import Loan
from booking.memberships.tables import Membership
from booking.organisations.tables import Organisation
from booking.people.tables import Profile
from booking.rounds.tables import ApplicationRound
from booking.series.tables import BookingSeries

BATCH_SIZE = 200  # aggregates per page, and per transaction of the backfill


async def _page(
    session: AsyncSession, model: type[Any], key: Any, after: Any, limit: int, *where: Any
) -> list[Any]:
    query = select(model).where(*where).order_by(key).limit(limit).with_for_update(read=True)
    if after is not None:
        query = query.where(key > after)
    return list((await session.execute(query)).scalars().all())


async def organisations(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[Organisation]:
    return await _page(session, Organisation, col(Organisation.id), after, limit)


async def memberships(
    session: AsyncSession, after: tuple[uuid.UUID, str] | None, limit: int
) -> list[Membership]:
    query = (
        select(Membership)
        .order_by(col(Membership.organisation_id), col(Membership.person_id))
        .with_for_update(read=True)
    )
    if after is not None:
        key = tuple_(col(Membership.organisation_id), col(Membership.person_id))
        query = query.where(key > tuple_(*after))
    return list((await session.execute(query.limit(limit))).scalars().all())


async def profiles(session: AsyncSession, after: str | None, limit: int) -> list[Profile]:
    return await _page(session, Profile, col(Profile.person_id), after, limit)


async def bookings(session: AsyncSession, after: uuid.UUID | None, limit: int) -> list[Booking]:
    return await _page(session, Booking, col(Booking.id), after, limit)


async def series(session: AsyncSession, after: uuid.UUID | None, limit: int) -> list[BookingSeries]:
    return await _page(session, BookingSeries, col(BookingSeries.id), after, limit)


async def series_with_teams(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[BookingSeries]:
    """The series handed to a team: a hand-over's state has its own key."""
    team = col(BookingSeries.team_id).is_not(None)
    return await _page(session, BookingSeries, col(BookingSeries.id), after, limit, team)


async def public_activities(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[tuple[BookingSeries, PublicActivity]]:
    query = (
        select(BookingSeries, PublicActivity)
        .join(PublicActivity, col(PublicActivity.series_id) == col(BookingSeries.id))
        .order_by(col(PublicActivity.series_id))
        .limit(limit)
        .with_for_update(read=True)
    )
    if after is not None:
        query = query.where(col(PublicActivity.series_id) > after)
    return [(one, activity) for one, activity in (await session.execute(query)).all()]


async def rounds(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[ApplicationRound]:
    return await _page(session, ApplicationRound, col(ApplicationRound.id), after, limit)


async def loans(session: AsyncSession, after: uuid.UUID | None, limit: int) -> list[Loan]:
    return await _page(session, Loan, col(Loan.loan_id), after, limit)
