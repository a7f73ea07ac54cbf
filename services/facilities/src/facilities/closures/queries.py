"""Reads of closures."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.closures.states import closure_state
from facilities.closures.tables import ClosureRow
from facilities.dependencies import get_row, page_of
from samspill.events.facilities import ClosureState


async def get_closure(session: AsyncSession, closure_id: UUID, *, lock: bool = False) -> ClosureRow:
    return await get_row(session, ClosureRow, closure_id, ("closure", "stenging"), lock=lock)


async def list_closures(
    session: AsyncSession,
    *,
    site_id: UUID | None,
    space_id: UUID | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[ClosureState], int]:
    query = select(ClosureRow).where(col(ClosureRow.lifted).is_(False))
    if site_id is not None:
        query = query.where(col(ClosureRow.site_id) == site_id)
    if space_id is not None:
        query = query.where(col(ClosureRow.space_id) == space_id)
    if start is not None:
        query = query.where(col(ClosureRow.ends_at) > start)
    if end is not None:
        query = query.where(col(ClosureRow.starts_at) < end)
    rows, total = await page_of(
        session, query.order_by(col(ClosureRow.starts_at), col(ClosureRow.id)), limit, offset
    )
    return [closure_state(r) for r in rows], total


async def holiday_closure_starts(session: AsyncSession, site_id: UUID) -> set[datetime]:
    """When the site's generated holiday closures that still stand begin."""
    query = select(col(ClosureRow.starts_at)).where(
        col(ClosureRow.site_id) == site_id,
        col(ClosureRow.holiday_generated).is_(True),
        col(ClosureRow.lifted).is_(False),
    )
    return set((await session.execute(query)).scalars())


async def future_holiday_closures(
    session: AsyncSession, site_id: UUID, now: datetime
) -> list[ClosureRow]:
    """The site's generated holiday closures that still stand and have not ended."""
    query = select(ClosureRow).where(
        col(ClosureRow.site_id) == site_id,
        col(ClosureRow.holiday_generated).is_(True),
        col(ClosureRow.lifted).is_(False),
        col(ClosureRow.ends_at) > now,
    )
    return list((await session.execute(query)).scalars())
