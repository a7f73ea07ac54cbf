"""The manager's forms as typed (kept to show again), and the names of reasons and states."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.datastructures import FormData

from portal.pages import N_

MAX_FIELD = 1000

# The form rules' messages (portal.domain.manage), here so the catalogue carries them.
FORM_MESSAGES = (
    N_("Enter the date as day.month.year, for example 9.3.2027."),
    N_("Enter the time as hours and minutes, for example 18:00."),
    N_("The end time must be after the start time."),
    N_("Choose at least one weekday."),
    N_("The last date must not be before the first date."),
    N_("Choose weekly over a period or one date."),
    N_("Choose the reason for the closure."),
    N_("The note can be at most 500 characters."),
    N_("A closure can last at most one year."),
    N_("Choose the whole site or one space."),
    N_("The reason can be at most 500 characters."),
    N_("Say why the request is rejected; the club sees it."),
)

CLOSURE_REASONS = {
    "exam": N_("Exams"),
    "maintenance": N_("Maintenance"),
    "own_event": N_("The site's own event"),
    "emergency": N_("Emergency"),
    "holiday": N_("Public holiday"),
}
STATES = {
    "not_released": N_("Not released"),
    "released": N_("Released"),
    "pending": N_("Pending"),
    "booked": N_("Booked"),
    "closed": N_("Closed"),
}


def form_values(form: FormData, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The posted fields as text (lists for fields that may repeat), trimmed to a sane size."""
    multi = set(lists)
    values: dict[str, Any] = {}
    for name in form:
        if name == "csrf_token":
            continue
        if name in multi:
            values[name] = [_text(v) for v in form.getlist(name)]
        else:
            values[name] = _text(form.get(name))
    for name in multi:
        values.setdefault(name, [])
    return values


def _text(value: Any) -> str:
    return value[:MAX_FIELD] if isinstance(value, str) else ""
