"""Use cases of release windows: when a site lends out a space, in Europe/Oslo wall-clock time.

Windows of one space may not overlap; the space row is locked while a window is released, so
two concurrent releases cannot both pass the check.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.common import get_row, get_space, page_of, require_site_manager, today_oslo
from facilities.domain import (
    OneOffWindow,
    ReleaseWindow,
    WeeklyWindow,
    checked_interval,
    ensure_no_overlap,
    parse_weekdays,
    withdraw_date,
)
from facilities.models import Space, WindowRow
from facilities.schemas import (
    OSLO_ZONE,
    Page,
    WindowCreate,
    WindowDates,
    WindowOccurrence,
    WindowPublic,
)
from facilities.states import release_window, window_state
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events.facilities import WindowReleased, WindowWithdrawn
from samspill.intervals import Interval
from samspill.recurrence import resolve_local
from samspill.rules import NotFoundError, RuleViolation

MAX_OCCURRENCE_SPAN = timedelta(days=400)


async def release(
    uow: UnitOfWork, principal: Principal, space_id: UUID, data: WindowCreate, now: datetime
) -> WindowPublic:
    space = await get_space(uow.session, space_id, lock=True)
    require_site_manager(principal, space.site_id)
    _ensure_bookable(space)
    check_time_zone(data.time_zone)
    window = build_window(data)
    window.validate(today=today_oslo(now))
    ensure_no_overlap(window, await _active_windows(uow.session, space.id))
    row = _row_of(window, space)
    uow.session.add(row)
    await uow.session.flush()
    state = window_state(row)
    await uow.publish(WindowReleased(window=state), key=str(space.id))
    await uow.commit()
    return WindowPublic.model_validate(state.model_dump())


def check_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleViolation(f"Unknown time zone {name!r}.", f"Ukjent tidssone {name!r}.") from None
    if name != OSLO_ZONE:
        raise RuleViolation(
            f"Release windows are stated in {OSLO_ZONE} local time, not {name}.",
            f"Utlånsvinduer angis i norsk tid ({OSLO_ZONE}), ikke {name}.",
        )


def build_window(data: WindowCreate) -> ReleaseWindow:
    if data.kind == "one_off":
        if data.day is None:
            raise RuleViolation("A one-off window needs its day.", "Et enkeltvindu må ha en dato.")
        return OneOffWindow(data.day, data.start_time, data.end_time)
    if data.valid_from is None or data.valid_to is None:
        raise RuleViolation(
            "A weekly window needs its first and last date (valid_from, valid_to).",
            "Et ukentlig vindu må ha første og siste dato (valid_from, valid_to).",
        )
    return WeeklyWindow(
        weekdays=parse_weekdays(data.weekdays),
        start=data.start_time,
        end=data.end_time,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )


def _row_of(window: ReleaseWindow, space: Space) -> WindowRow:
    if isinstance(window, OneOffWindow):
        return WindowRow(
            space_id=space.id,
            site_id=space.site_id,
            kind="one_off",
            weekdays=[],
            start_time=window.start,
            end_time=window.end,
            valid_from=window.day,
            valid_to=window.day,
        )
    return WindowRow(
        space_id=space.id,
        site_id=space.site_id,
        kind="weekly",
        weekdays=sorted(window.weekdays),
        start_time=window.start,
        end_time=window.end,
        valid_from=window.valid_from,
        valid_to=window.valid_to,
    )


async def _active_windows(session: AsyncSession, space_id: UUID) -> dict[str, ReleaseWindow]:
    rows = (
        await session.execute(
            select(WindowRow).where(
                col(WindowRow.space_id) == space_id,
                col(WindowRow.withdrawn).is_(False),
            )
        )
    ).scalars()
    return {str(row.id): release_window(row) for row in rows}


async def withdraw(
    uow: UnitOfWork, principal: Principal, space_id: UUID, window_id: UUID
) -> WindowPublic:
    """Withdraw the whole window."""
    row = await _window_of_space(uow, principal, space_id, window_id)
    row.withdrawn = True
    await uow.session.flush()
    state = window_state(row)
    await uow.publish(WindowWithdrawn(window=state, dates=[]), key=str(space_id))
    await uow.commit()
    return WindowPublic.model_validate(state.model_dump())


async def withdraw_dates(
    uow: UnitOfWork,
    principal: Principal,
    space_id: UUID,
    window_id: UUID,
    data: WindowDates,
    now: datetime,
) -> WindowPublic:
    """Withdraw single dates of a weekly window (e.g. the school needs the gym that evening)."""
    row = await _window_of_space(uow, principal, space_id, window_id)
    window: ReleaseWindow = release_window(row)
    dates = sorted(set(data.dates))
    for day in dates:
        window = withdraw_date(window, day, today=today_oslo(now))
    assert isinstance(window, WeeklyWindow)
    row.withdrawn_dates = [day.isoformat() for day in sorted(window.withdrawn_dates)]
    await uow.session.flush()
    state = window_state(row)
    await uow.publish(WindowWithdrawn(window=state, dates=dates), key=str(space_id))
    await uow.commit()
    return WindowPublic.model_validate(state.model_dump())


async def _window_of_space(
    uow: UnitOfWork, principal: Principal, space_id: UUID, window_id: UUID
) -> WindowRow:
    space = await get_space(uow.session, space_id, lock=True)
    require_site_manager(principal, space.site_id)
    row = await get_row(uow.session, WindowRow, window_id, ("window", "vindu"), lock=True)
    if row.space_id != space.id or row.withdrawn:
        raise NotFoundError(
            f"The space has no active window with id {window_id}.",
            f"Lokalet har ikke noe aktivt vindu med id {window_id}.",
        )
    return row


def _ensure_bookable(space: Space) -> None:
    if space.retired:
        raise RuleViolation(
            "The space is retired; it cannot be released.",
            "Lokalet er tatt ut av bruk og kan ikke lånes ut.",
        )


async def list_windows(
    session: AsyncSession,
    space_id: UUID,
    *,
    include_withdrawn: bool,
    limit: int,
    offset: int,
) -> Page[WindowPublic]:
    await get_space(session, space_id)
    query = select(WindowRow).where(col(WindowRow.space_id) == space_id)
    if not include_withdrawn:
        query = query.where(col(WindowRow.withdrawn).is_(False))
    ordered = query.order_by(
        col(WindowRow.valid_from), col(WindowRow.start_time), col(WindowRow.id)
    )
    rows, total = await page_of(session, ordered, limit, offset)
    items = [WindowPublic.model_validate(window_state(r).model_dump()) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def occurrences(
    session: AsyncSession, space_id: UUID, window_id: UUID, start: date, end: date
) -> list[WindowOccurrence]:
    """The window's occurrences as UTC instants, on local dates `start` to `end` inclusive."""
    row = await get_row(session, WindowRow, window_id, ("window", "vindu"))
    if row.space_id != space_id:
        raise NotFoundError(
            f"The space has no window with id {window_id}.",
            f"Lokalet har ikke noe vindu med id {window_id}.",
        )
    within = _local_span(start, end)
    if row.withdrawn:
        return []
    return [
        WindowOccurrence(start=i.start, end=i.end)
        for i in release_window(row).occurrences(within=within)
    ]


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
