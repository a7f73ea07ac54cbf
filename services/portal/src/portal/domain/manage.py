"""Rules of the facility manager's pages: reading the release, withdrawal, closure and rejection
forms, which bookings a closure would cancel, and a space's week grid for the caretaker.

Pure: no HTTP, no templates. Form errors are English msgids by field name; the page translates
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from samspill.intervals import Interval, intersect, merge
from samspill.recurrence import OSLO, resolve_local

MAX_NOTE = 500
MAX_REASON = 500
MAX_CLOSURE_DAYS = 366
ACTIVE = frozenset({"requested", "confirmed"})
CLOSURE_REASONS = ("exam", "maintenance", "own_event", "emergency", "holiday")
GRID_DAYS = 7
DEFAULT_HOURS = (16, 22)

NEED_DATE = "Enter the date as day.month.year, for example 9.3.2027."
NEED_TIME = "Enter the time as hours and minutes, for example 18:00."
END_AFTER_START = "The end time must be after the start time."
NEED_WEEKDAY = "Choose at least one weekday."
LAST_AFTER_FIRST = "The last date must not be before the first date."
NEED_KIND = "Choose weekly over a period or one date."
NEED_REASON = "Choose the reason for the closure."
NOTE_TOO_LONG = "The note can be at most 500 characters."
CLOSURE_TOO_LONG = "A closure can last at most one year."
NEED_SCOPE = "Choose the whole site or one space."
REJECTION_TOO_LONG = "The reason can be at most 500 characters."
NEED_REJECTION = "Say why the request is rejected; the club sees it."


def parse_date(text: str) -> date | None:
    """`2027-03-09` (what a date field sends) or `9.3.2027` (what people type)."""
    text = text.strip()
    try:
        if "." in text:
            day, month, year = (int(part) for part in text.split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    """`18:00`, `18.00` or `1800`; `24:00` is midnight at the end of the day (00:00)."""
    text = text.strip().replace(".", ":")
    if len(text) == 4 and text.isdigit():
        text = f"{text[:2]}:{text[2:]}"
    if text in ("24:00", "24"):
        return time(0, 0)
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def _ends_after(start: time, end: time) -> bool:
    return end == time(0, 0) or end > start


# --- releasing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """A valid release form: weekly on `weekdays` from `first` to `last`, or one date."""

    kind: str
    start_time: time
    end_time: time
    first: date
    last: date
    weekdays: tuple[int, ...] = ()

    def body(self) -> dict[str, Any]:
        times = {"start_time": f"{self.start_time:%H:%M}", "end_time": f"{self.end_time:%H:%M}"}
        if self.kind == "one_off":
            return {"kind": "one_off", "day": self.first.isoformat(), **times}
        return {
            "kind": "weekly",
            "weekdays": list(self.weekdays),
            "valid_from": self.first.isoformat(),
            "valid_to": self.last.isoformat(),
            **times,
        }


T = TypeVar("T")


@dataclass
class Checked(Generic[T]):
    value: T | None = None
    errors: dict[str, str] = field(default_factory=dict)


def check_release(form: Mapping[str, Any]) -> Checked[Release]:
    """Read the release form: `type` (weekly / one_off), `ukedager` (0–6, several), `fra`,
    `til`, and `forste`/`siste` (weekly) or `dato` (one date)."""
    errors: dict[str, str] = {}
    kind = str(form.get("type", "")).strip()
    if kind not in ("weekly", "one_off"):
        errors["type"] = NEED_KIND
    start, end = parse_time(str(form.get("fra", ""))), parse_time(str(form.get("til", "")))
    if start is None:
        errors["fra"] = NEED_TIME
    if end is None:
        errors["til"] = NEED_TIME
    elif start is not None and not _ends_after(start, end):
        errors["til"] = END_AFTER_START
    first: date | None
    last: date | None
    weekdays: tuple[int, ...] = ()
    if kind == "one_off":
        first = last = parse_date(str(form.get("dato", "")))
        if first is None:
            errors["dato"] = NEED_DATE
    else:
        weekdays = _weekdays(form.get("ukedager"))
        if kind == "weekly" and not weekdays:
            errors["ukedager"] = NEED_WEEKDAY
        first, last = _period(form, errors, "forste", "siste")
    if errors or start is None or end is None or first is None or last is None:
        return Checked(errors=errors)
    return Checked(Release(kind, start, end, first, last, weekdays))


def _weekdays(values: Any) -> tuple[int, ...]:
    found: set[int] = set()
    for value in values if isinstance(values, list | tuple) else [values]:
        text = str(value or "").strip()
        if text.isascii() and text.isdigit() and 0 <= int(text) <= 6:
            found.add(int(text))
    return tuple(sorted(found))


def _period(
    form: Mapping[str, Any], errors: dict[str, str], first_name: str, last_name: str
) -> tuple[date | None, date | None]:
    first = parse_date(str(form.get(first_name, "")))
    last = parse_date(str(form.get(last_name, "")))
    if first is None:
        errors[first_name] = NEED_DATE
    if last is None:
        errors[last_name] = NEED_DATE
    elif first is not None and last < first:
        errors[last_name] = LAST_AFTER_FIRST
    return first, last


def check_withdrawal(form: Mapping[str, Any]) -> Checked[date]:
    day = parse_date(str(form.get("dato", "")))
    return Checked(day) if day else Checked(errors={"dato": NEED_DATE})


# --- closing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closing:
    """A valid closure form: the whole site (`space_id` None) or one space, whole days."""

    site_id: str
    space_id: str | None
    first: date
    last: date
    reason: str
    note: str

    @property
    def start(self) -> datetime:
        return resolve_local(self.first, time(0, 0))

    @property
    def end(self) -> datetime:
        return resolve_local(self.last + timedelta(days=1), time(0, 0))

    def body(self) -> dict[str, Any]:
        scope = {"space_id": self.space_id} if self.space_id else {"site_id": self.site_id}
        return {
            **scope,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "reason": self.reason,
            "note": self.note or None,
        }


def check_closing(
    form: Mapping[str, Any], site_id: str, space_ids: Iterable[str]
) -> Checked[Closing]:
    """Read the closure form: `omfang` ("site" or a space id of the site), `forste`, `siste`
    (inclusive), `arsak` (a reason) and `merknad` (a note)."""
    errors: dict[str, str] = {}
    scope = str(form.get("omfang", "")).strip()
    if scope != "site" and scope not in set(space_ids):
        errors["omfang"] = NEED_SCOPE
    first, last = _period(form, errors, "forste", "siste")
    if first and last and (last - first).days >= MAX_CLOSURE_DAYS:
        errors["siste"] = CLOSURE_TOO_LONG
    reason = str(form.get("arsak", "")).strip()
    if reason not in CLOSURE_REASONS:
        errors["arsak"] = NEED_REASON
    note = str(form.get("merknad", "")).strip()
    if len(note) > MAX_NOTE:
        errors["merknad"] = NOTE_TOO_LONG
    if errors or first is None or last is None:
        return Checked(errors=errors)
    space = None if scope == "site" else scope
    return Checked(Closing(site_id, space, first, last, reason, note))


def cancelled_by(
    closing_space: str | None,
    conflicts: Mapping[str, Iterable[str]],
    bookings: Iterable[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Mapping[str, Any]]:
    """The site's bookings a closure from `start` to `end` would cancel, as booking does: an
    active booking that overlaps the closure and has not ended, of any space of the site (a
    site closure) or of the closed space, its parts and the wholes it is part of."""
    closed: set[str] | None = None
    if closing_space is not None:
        closed = {closing_space, *conflicts.get(closing_space, ())}
    found = []
    for booking in bookings:
        booked = Interval(_instant(booking["start"]), _instant(booking["end"]))
        if booking.get("status") not in ACTIVE:
            continue
        if not (booked.start < end and booked.end > max(start, now)):
            continue
        if closed is not None and str(booking["space_id"]) not in closed:
            continue
        found.append(booking)
    return sorted(found, key=lambda b: str(b["start"]))


def clubs_told(bookings: Iterable[Mapping[str, Any]]) -> list[str]:
    """The organisations whose bookings are cancelled, by name, each once."""
    names = {str(b["organisation_name"]) for b in bookings if not b.get("by_resident")}
    return sorted(names, key=str.casefold)


def whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """The first and last local date of a span from local midnight to local midnight, or None
    when it begins or ends within a day."""
    first, after = start.astimezone(OSLO), end.astimezone(OSLO)
    if first.time() != time(0) or after.time() != time(0) or after <= first:
        return None
    return first.date(), after.date() - timedelta(days=1)


def listed_closures(
    closures: Iterable[Mapping[str, Any]], now: datetime, holiday_horizon: timedelta
) -> list[dict[str, Any]]:
    """The closures a manager sees on the site page: every one they made, and the automatic
    holiday closures only within `holiday_horizon`, each with its whole days where it has them."""
    shown = []
    for closure in closures:
        start, end = _instant(closure["start"]), _instant(closure["end"])
        if closure.get("reason") == "holiday" and start > now + holiday_horizon:
            continue
        days = whole_days(start, end)
        shown.append(
            {
                **closure,
                "first_day": days[0] if days else None,
                "last_day": days[1] if days else None,
            }
        )
    return sorted(shown, key=lambda c: str(c["start"]))


def check_rejection(form: Mapping[str, Any]) -> Checked[str]:
    reason = str(form.get("begrunnelse", "")).strip()
    if not reason:
        return Checked(errors={"begrunnelse": NEED_REJECTION})
    if len(reason) > MAX_REASON:
        return Checked(errors={"begrunnelse": REJECTION_TOO_LONG})
    return Checked(reason)


def _instant(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# --- the caretaker's week grid -------------------------------------------------------------------


class SlotState(StrEnum):
    NOT_RELEASED = "not_released"
    RELEASED = "released"
    PENDING = "pending"
    BOOKED = "booked"
    CLOSED = "closed"


@dataclass(frozen=True)
class Slot:
    hour: int
    state: SlotState
    who: str = ""  # the organisation holding a booked or pending hour


@dataclass(frozen=True)
class GridRow:
    day: date
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Held:
    """Time a booking holds: `pending` for a request still waiting."""

    interval: Interval
    who: str
    pending: bool = False


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def grid_hours(released: Iterable[Interval]) -> tuple[int, int]:
    """Whole local hours covering every released stretch (default the evening)."""
    stretches = list(released)
    if not stretches:
        return DEFAULT_HOURS
    first = min(s.start.astimezone(OSLO).hour for s in stretches)
    last = 0
    for stretch in stretches:
        start, end = stretch.start.astimezone(OSLO), stretch.end.astimezone(OSLO)
        ends = 24 if end.date() > start.date() else end.hour + (1 if end.minute else 0)
        last = max(last, ends)
    return first, max(last, first + 1)


def _hour(day: date, hour: int) -> datetime:
    if hour >= 24:
        return resolve_local(day + timedelta(days=1), time(0))
    return resolve_local(day, time(hour))


def space_week(
    first: date,
    hours: tuple[int, int],
    released: Iterable[Interval],
    closed: Iterable[Interval],
    held: Sequence[Held],
) -> list[GridRow]:
    """Each day × hour in one state: closed beats booked beats pending beats released."""
    released, closed = merge(released), merge(closed)
    rows = []
    for day in (first + timedelta(days=n) for n in range(GRID_DAYS)):
        slots = []
        for hour in range(*hours):
            start, end = _hour(day, hour), _hour(day, hour + 1)
            if start >= end:
                continue  # the hour the clock skips in spring
            slots.append(_slot(hour, Interval(start, end), released, closed, held))
        rows.append(GridRow(day, tuple(slots)))
    return rows


def _slot(
    hour: int,
    cell: Interval,
    released: Sequence[Interval],
    closed: Sequence[Interval],
    held: Sequence[Held],
) -> Slot:
    if intersect(closed, [cell]):
        return Slot(hour, SlotState.CLOSED)
    holding = [h for h in held if h.interval.start < cell.end and h.interval.end > cell.start]
    booked = [h for h in holding if not h.pending]
    if booked:
        return Slot(hour, SlotState.BOOKED, booked[0].who)
    if holding:
        return Slot(hour, SlotState.PENDING, holding[0].who)
    if intersect(released, [cell]):
        return Slot(hour, SlotState.RELEASED)
    return Slot(hour, SlotState.NOT_RELEASED)
