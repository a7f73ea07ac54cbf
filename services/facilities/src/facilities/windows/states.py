"""Release windows as the event-contract state they publish, and as domain windows."""

from __future__ import annotations

from datetime import date

from facilities.domain import OneOffWindow, ReleaseWindow, WeeklyWindow
from facilities.windows.tables import Window
from samspill.events.facilities import WindowState


def release_window(row: Window) -> ReleaseWindow:
    if row.kind == "one_off":
        return OneOffWindow(row.valid_from, row.start_time, row.end_time)
    return WeeklyWindow(
        weekdays=frozenset(row.weekdays),
        start=row.start_time,
        end=row.end_time,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        withdrawn_dates=frozenset(date.fromisoformat(day) for day in row.withdrawn_dates),
    )


def window_state(row: Window) -> WindowState:
    return WindowState(
        window_id=row.id,
        space_id=row.space_id,
        site_id=row.site_id,
        kind="one_off" if row.kind == "one_off" else "weekly",
        weekdays=sorted(row.weekdays),
        start_time=row.start_time,
        end_time=row.end_time,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        withdrawn_dates=sorted(date.fromisoformat(day) for day in row.withdrawn_dates),
        withdrawn=row.withdrawn,
        time_zone=row.time_zone,
    )
