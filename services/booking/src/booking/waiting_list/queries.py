"""Reads of the waiting list and its offers. Nothing here writes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.allocation.queries import Applicant
from booking.applications.tables import Application, ApplicationSection
from booking.organisations.tables import Organisation
from booking.rounds.tables import ApplicationRound, RoundSpace
from booking.waiting_list.tables import DirectWaitingEntry, WaitingEntry, WaitingOffer
from samspill.errors import NotFound


@dataclass(frozen=True)
class Waiting:
    """A waiting entry with its section, application and club."""

    entry: WaitingEntry
    applicant: Applicant


async def entries(
    session: AsyncSession, round_id: uuid.UUID, *, status: str | None = None, lock: bool = False
) -> list[Waiting]:
    """The round's waiting list, first in line first."""
    query = (
        select(WaitingEntry, ApplicationSection, Application, Organisation)
        .join(ApplicationSection, col(ApplicationSection.id) == col(WaitingEntry.section_id))
        .join(Application, col(Application.id) == col(ApplicationSection.application_id))
        .join(Organisation, col(Organisation.id) == col(WaitingEntry.organisation_id))
        .where(col(WaitingEntry.round_id) == round_id)
        .order_by(col(WaitingEntry.position))
    )
    if status is not None:
        query = query.where(col(WaitingEntry.status) == status)
    if lock:
        query = query.with_for_update(of=WaitingEntry)
    rows = (await session.execute(query)).all()
    return [Waiting(e, Applicant(s, a, o)) for e, s, a, o in rows]


async def waiting(session: AsyncSession, entry_id: uuid.UUID, *, lock: bool = True) -> Waiting:
    entry = await session.get(WaitingEntry, entry_id, with_for_update=lock)
    section = None if entry is None else await session.get(ApplicationSection, entry.section_id)
    application = (
        None if section is None else await session.get(Application, section.application_id)
    )
    organisation = None if entry is None else await session.get(Organisation, entry.organisation_id)
    if entry is None or section is None or application is None or organisation is None:
        raise NotFound(f"Unknown waiting entry {entry_id}.", f"Ukjent venteplass {entry_id}.")
    return Waiting(entry, Applicant(section, application, organisation))


async def offers_of_round(session: AsyncSession, round_id: uuid.UUID) -> Sequence[WaitingOffer]:
    query = (
        select(WaitingOffer)
        .where(col(WaitingOffer.round_id) == round_id)
        .order_by(col(WaitingOffer.created_at))
    )
    return (await session.execute(query)).scalars().all()


async def offers_of_organisation(
    session: AsyncSession, organisation_id: uuid.UUID
) -> Sequence[WaitingOffer]:
    """The club's offers, newest first."""
    query = (
        select(WaitingOffer)
        .join(WaitingEntry, col(WaitingEntry.id) == col(WaitingOffer.entry_id))
        .where(col(WaitingEntry.organisation_id) == organisation_id)
        .order_by(col(WaitingOffer.created_at).desc())
    )
    return (await session.execute(query)).scalars().all()


async def offer(session: AsyncSession, offer_id: uuid.UUID) -> WaitingOffer:
    found = await session.get(WaitingOffer, offer_id, with_for_update=True)
    if found is None:
        raise NotFound(f"Unknown offer {offer_id}.", f"Ukjent tilbud {offer_id}.")
    return found


async def offered_entries(
    session: AsyncSession,
    round_id: uuid.UUID,
    freed_by: uuid.UUID | None,
    same: WaitingOffer | None,
) -> set[uuid.UUID]:
    """Entries already offered this freed time (they declined it or let it lapse)."""
    query = select(col(WaitingOffer.entry_id)).where(col(WaitingOffer.round_id) == round_id)
    if freed_by is not None:
        query = query.where(col(WaitingOffer.freed_by_series_id) == freed_by)
    elif same is not None:
        query = query.where(
            col(WaitingOffer.space_id) == same.space_id,
            col(WaitingOffer.weekday) == same.weekday,
            col(WaitingOffer.first_date) == same.first_date,
        )
    return set((await session.execute(query)).scalars().all())


async def rounds_sent_with_space(
    session: AsyncSession, space_id: uuid.UUID, on: date
) -> Sequence[ApplicationRound]:
    """Rounds whose results are sent, covering the space, whose season has not ended."""
    query = (
        select(ApplicationRound)
        .join(RoundSpace, col(RoundSpace.round_id) == col(ApplicationRound.id))
        .where(
            col(RoundSpace.space_id) == space_id,
            col(ApplicationRound.state) == "results_sent",
            col(ApplicationRound.season_last_date) >= on,
        )
        .order_by(col(ApplicationRound.season_first_date))
    )
    return (await session.execute(query)).scalars().all()


async def lapsed_offers(session: AsyncSession, now: datetime, limit: int) -> Sequence[WaitingOffer]:
    """Open offers past their expiry, locked (others' locked rows are skipped)."""
    query = (
        select(WaitingOffer)
        .where(col(WaitingOffer.status) == "open", col(WaitingOffer.expires_at) <= now)
        .order_by(col(WaitingOffer.expires_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def direct_entries_of(
    session: AsyncSession, organisation_id: uuid.UUID
) -> Sequence[DirectWaitingEntry]:
    """The club's direct waiting-list entries still waiting or placed, first joined first."""
    query = (
        select(DirectWaitingEntry)
        .where(
            col(DirectWaitingEntry.organisation_id) == organisation_id,
            col(DirectWaitingEntry.status) != "removed",
        )
        .order_by(col(DirectWaitingEntry.created_at))
    )
    return (await session.execute(query)).scalars().all()


async def same_direct_entry(
    session: AsyncSession, entry: DirectWaitingEntry
) -> DirectWaitingEntry | None:
    """The club already waiting for the same time in the same hall, if it is."""
    query = select(DirectWaitingEntry).where(
        col(DirectWaitingEntry.organisation_id) == entry.organisation_id,
        col(DirectWaitingEntry.space_id) == entry.space_id,
        col(DirectWaitingEntry.weekday) == entry.weekday,
        col(DirectWaitingEntry.start_minute) == entry.start_minute,
        col(DirectWaitingEntry.end_minute) == entry.end_minute,
        col(DirectWaitingEntry.status) == "waiting",
    )
    return (await session.execute(query)).scalars().first()
