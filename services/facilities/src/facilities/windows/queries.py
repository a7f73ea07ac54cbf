"""Reads of release windows."""

from __future__ import annotations

from datetime import date, time, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.dependencies import get_row, page_of
from facilities.domain import ReleaseWindow, checked_interval
from facilities.spaces.queries import get_space
from facilities.windows.states import release_window, window_state
from facilities.windows.tables import Window
from samspill.errors import NotFound, RuleViolation
from samspill.events.facilities import WindowState
from samspill.intervals import Interval
from samspill.recurrence import resolve_local

MAX_OCCURRENCE_SPAN = timedelta(days=400)


async def get_window(session: AsyncSession, window_id: UUID, *, lock: bool = False) -> Window:
    return await get_row(session, Window, window_id, ("window", "vindu"), lock=lock)


async def active_windows(session: AsyncSession, space_id: UUID) -> dict[str, ReleaseWindow]:
    rows = (
        await session.execute(
            select(Window).where(
                col(Window.space_id) == space_id,
                col(Window.withdrawn).is_(False),
            )
        )
    ).scalars()
    return {str(row.id): release_window(row) for row in rows}


async def list_windows(
    session: AsyncSession,
    space_id: UUID,
    *,
    include_withdrawn: bool,
    limit: int,
    offset: int,
) -> tuple[list[WindowState], int]:
    await get_space(session, space_id)
    query = select(Window).where(col(Window.space_id) == space_id)
    if not include_withdrawn:
        query = query.where(col(Window.withdrawn).is_(False))
    ordered = query.order_by(col(Window.valid_from), col(Window.start_time), col(Window.id))
    rows, total = await page_of(session, ordered, limit, offset)
    return [window_state(r) for r in rows], total


async def occurrences(
    session: AsyncSession, space_id: UUID, window_id: UUID, start: date, end: date
) -> list[Interval]:
    """The window's occurrences as UTC instants, on local dates `start` to `end` inclusive."""
    row = await get_window(session, window_id)
    if row.space_id != space_id:
        raise NotFound(
            f"The space has no window with id {window_id}.",
            f"Lokalet har ikke noe vindu med id {window_id}.",
        )
    within = _local_span(start, end)
    if row.withdrawn:
        return []
    return list(release_window(row).occurrences(within=within))


def _local_span(first: date, last: date) -> Interval:
    """Local midnight before `first` to local midnight after `last`."""
    span = checked_interval(
        resolve_local(first, time(0, 0)), resolve_local(last + timedelta(days=1), time(0, 0))
    )
    if span.duration > MAX_OCCURRENCE_SPAN:
        raise RuleViolation(
            f"Ask for at most {MAX_OCCURRENCE_SPAN.days} days at a time.",
            f"Spør etter høyst {MAX_OCCURRENCE_SPAN.days} dager om gangen.",
        )
    return span
