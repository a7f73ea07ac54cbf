"""Reads of given-back time and its offers. Nothing here writes."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.giving_back.tables import FreedSlot, FreedTime, GivenBackOffer
from booking.waiting_list.tables import DirectWaitingEntry
from samspill.db import any_of
from samspill.errors import Conflict, NotFound
from samspill.intervals import Interval


async def check_not_held(
    session: AsyncSession, space_ids: Collection[uuid.UUID], intervals: Sequence[Interval]
) -> None:
    """409 when given-back time offered to a waiting club overlaps one of the intervals on
    one of the spaces: while it is held (or passed on), only that club may book it."""
    if not intervals or not space_ids:
        return
    for interval in intervals:
        if await session.scalar(select(held(space_ids, interval.start, interval.end))):
            raise held_for_another()


def held(
    space_ids: Collection[uuid.UUID] | ColumnElement[Any],
    start: datetime | ColumnElement[datetime],
    end: datetime | ColumnElement[datetime],
) -> Exists:
    """Whether given-back time on one of the spaces, offered to a waiting club, overlaps
    `start`..`end`."""
    return exists().where(
        col(FreedTime.id) == col(FreedSlot.freed_id),
        col(FreedTime.status) == "offered",
        any_of(col(FreedSlot.space_id), space_ids),
        col(FreedSlot.start) < end,
        col(FreedSlot.end) > start,
    )


def held_for_another() -> Conflict:
    return Conflict(
        "This time was given back and is offered to a club on the waiting list.",
        "Denne tiden er gitt tilbake og tilbys en klubb på ventelisten.",
    )


async def freed(session: AsyncSession, freed_id: uuid.UUID, *, lock: bool = True) -> FreedTime:
    found = await session.get(FreedTime, freed_id, with_for_update=lock)
    if found is None:
        raise NotFound(f"Unknown freed time {freed_id}.", f"Ukjent ledig tid {freed_id}.")
    return found


async def slots(session: AsyncSession, freed_id: uuid.UUID) -> Sequence[FreedSlot]:
    query = (
        select(FreedSlot).where(col(FreedSlot.freed_id) == freed_id).order_by(col(FreedSlot.start))
    )
    return (await session.execute(query)).scalars().all()


async def offer(
    session: AsyncSession, offer_id: uuid.UUID, *, lock: bool = False
) -> GivenBackOffer:
    found = await session.get(
        GivenBackOffer, offer_id, with_for_update=lock, populate_existing=lock
    )
    if found is None:
        raise NotFound(f"Unknown offer {offer_id}.", f"Ukjent tilbud {offer_id}.")
    return found


async def open_offer(session: AsyncSession, freed_id: uuid.UUID) -> GivenBackOffer | None:
    query = select(GivenBackOffer).where(
        col(GivenBackOffer.freed_id) == freed_id, col(GivenBackOffer.status) == "open"
    )
    return (await session.execute(query.with_for_update())).scalars().first()


async def offered_entries(session: AsyncSession, freed_id: uuid.UUID) -> set[uuid.UUID]:
    """The round and direct entries this freed time has been offered to already."""
    query = select(col(GivenBackOffer.round_entry_id), col(GivenBackOffer.direct_entry_id)).where(
        col(GivenBackOffer.freed_id) == freed_id
    )
    found: set[uuid.UUID] = set()
    for round_entry, direct_entry in (await session.execute(query)).all():
        found.update(e for e in (round_entry, direct_entry) if e is not None)
    return found


async def direct_waiting(
    session: AsyncSession, space_id: uuid.UUID, weekday: int
) -> Sequence[DirectWaitingEntry]:
    """Clubs waiting directly for the hall on the weekday, first joined first."""
    query = (
        select(DirectWaitingEntry)
        .where(
            col(DirectWaitingEntry.space_id) == space_id,
            col(DirectWaitingEntry.weekday) == weekday,
            col(DirectWaitingEntry.status) == "waiting",
        )
        .order_by(col(DirectWaitingEntry.created_at), col(DirectWaitingEntry.id))
    )
    return (await session.execute(query)).scalars().all()


async def offers_of_organisation(
    session: AsyncSession, organisation_id: uuid.UUID
) -> Sequence[GivenBackOffer]:
    query = (
        select(GivenBackOffer)
        .where(col(GivenBackOffer.organisation_id) == organisation_id)
        .order_by(col(GivenBackOffer.created_at).desc())
    )
    return (await session.execute(query)).scalars().all()


async def offered_freed(session: AsyncSession, limit: int) -> Sequence[FreedTime]:
    """Freed time still being offered, locked (rows another replica or an accept holds are
    skipped: they are being decided)."""
    query = (
        select(FreedTime)
        .where(col(FreedTime.status) == "offered")
        .order_by(col(FreedTime.created_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def is_given_back_offer(session: AsyncSession, offer_id: uuid.UUID) -> bool:
    return await session.get(GivenBackOffer, offer_id) is not None
