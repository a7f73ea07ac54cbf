"""Use cases of release windows: when a site lends out a space, in Europe/Oslo wall-clock time.

Windows of one space may not overlap; the space row is locked while a window is released, so
two concurrent releases cannot both pass the check.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from facilities.dependencies import require_site_manager
from facilities.domain import (
    OneOffWindow,
    ReleaseWindow,
    WeeklyWindow,
    ensure_no_overlap,
    parse_weekdays,
    withdraw_date,
)
from facilities.spaces.queries import get_space
from facilities.spaces.tables import Space
from facilities.windows.queries import active_windows, get_window
from facilities.windows.schemas import OSLO_ZONE, WindowCreate, WindowDates
from facilities.windows.states import release_window, window_state
from facilities.windows.tables import Window
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import NotFound, RuleViolation
from samspill.events.facilities import WindowReleased, WindowState, WindowWithdrawn
from samspill.recurrence import local_date


async def release(
    uow: UnitOfWork, principal: Principal, space_id: UUID, data: WindowCreate, now: datetime
) -> WindowState:
    space = await get_space(uow.session, space_id, lock=True)
    require_site_manager(principal, space.site_id)
    _ensure_bookable(space)
    check_time_zone(data.time_zone)
    window = build_window(data)
    window.validate(today=local_date(now))
    ensure_no_overlap(window, await active_windows(uow.session, space.id))
    row = _row_of(window, space)
    uow.session.add(row)
    await uow.session.flush()
    state = window_state(row)
    await uow.publish(WindowReleased(window=state), key=str(space.id))
    await uow.commit()
    return state


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


def _row_of(window: ReleaseWindow, space: Space) -> Window:
    if isinstance(window, OneOffWindow):
        return Window(
            space_id=space.id,
            site_id=space.site_id,
            kind="one_off",
            weekdays=[],
            start_time=window.start,
            end_time=window.end,
            valid_from=window.day,
            valid_to=window.day,
        )
    return Window(
        space_id=space.id,
        site_id=space.site_id,
        kind="weekly",
        weekdays=sorted(window.weekdays),
        start_time=window.start,
        end_time=window.end,
        valid_from=window.valid_from,
        valid_to=window.valid_to,
    )


async def withdraw(
    uow: UnitOfWork, principal: Principal, space_id: UUID, window_id: UUID
) -> WindowState:
    """Withdraw the whole window."""
    row = await _window_of_space(uow, principal, space_id, window_id)
    row.withdrawn = True
    await uow.session.flush()
    state = window_state(row)
    await uow.publish(WindowWithdrawn(window=state, dates=[]), key=str(space_id))
    await uow.commit()
    return state


async def withdraw_dates(
    uow: UnitOfWork,
    principal: Principal,
    space_id: UUID,
    window_id: UUID,
    data: WindowDates,
    now: datetime,
) -> WindowState:
    """Withdraw single dates of a weekly window (e.g. the school needs the gym that evening)."""
    row = await _window_of_space(uow, principal, space_id, window_id)
    window: ReleaseWindow = release_window(row)
    dates = sorted(set(data.dates))
    for day in dates:
        window = withdraw_date(window, day, today=local_date(now))
    assert isinstance(window, WeeklyWindow)
    row.withdrawn_dates = [day.isoformat() for day in sorted(window.withdrawn_dates)]
    await uow.session.flush()
    state = window_state(row)
    await uow.publish(WindowWithdrawn(window=state, dates=dates), key=str(space_id))
    await uow.commit()
    return state


async def _window_of_space(
    uow: UnitOfWork, principal: Principal, space_id: UUID, window_id: UUID
) -> Window:
    space = await get_space(uow.session, space_id, lock=True)
    require_site_manager(principal, space.site_id)
    row = await get_window(uow.session, window_id, lock=True)
    if row.space_id != space.id or row.withdrawn:
        raise NotFound(
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
