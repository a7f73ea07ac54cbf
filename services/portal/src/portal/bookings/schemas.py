"""The booking form: what the person typed (kept as typed, to show again) and what it means.

The same fields come from the query string (a link that fills the form in, such as a nearest
free time) and from the posted form. Names are the page's own, in Norwegian, as in its URLs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from portal.pages import N_
from samspill.recurrence import resolve_local

Kind = Literal["single", "weekly"]
KINDS: tuple[Kind, ...] = ("single", "weekly")
AUDIENCES = ("children_youth", "non_profit", "commercial")
MAX_TEXT = 200
MAX_PARTICIPANTS = 100_000

NEED_ORGANISATION = N_("Choose the club you book for.")
NEED_SPACE = N_("Choose a hall.")
NEED_DATE = N_("Enter the date as day.month.year, for example 9.3.2027.")
NEED_TIME = N_("Enter the time as hours and minutes, for example 18:00.")
END_AFTER_START = N_("The end time must be after the start time.")
NEED_WEEKDAY = N_("Choose the weekday.")
LAST_AFTER_FIRST = N_("The last date must not be before the first date.")
NEED_ACTIVITY = N_("Say what the hall will be used for (at most 200 characters).")
NEED_AUDIENCE = N_("Choose who the activity is for.")
NEED_PARTICIPANTS = N_("Enter the number of participants as a whole number from 1.")


@dataclass(frozen=True)
class BookingForm:
    """The fields as typed; every value is text, empty when not given."""

    lag: str = ""
    lokale: str = ""
    type: str = "single"
    dato: str = ""
    fra: str = ""
    til: str = ""
    ukedag: str = ""
    forste: str = ""
    siste: str = ""
    aktivitet: str = ""
    malgruppe: str = "children_youth"
    deltakere: str = ""

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> BookingForm:
        """The form from a query string or a posted form; unknown fields are ignored."""
        known = {name: _text(values.get(name)) for name in cls.__dataclass_fields__}
        typed = {name: value for name, value in known.items() if value}
        form = cls(**typed)
        return form if form.type in KINDS else cls(**{**typed, "type": "single"})

    def values(self) -> dict[str, str]:
        return asdict(self)

    @property
    def weekly(self) -> bool:
        return self.type == "weekly"


@dataclass(frozen=True)
class BookingChoice:
    """What a valid form asks for."""

    organisation_id: uuid.UUID
    space_id: uuid.UUID
    kind: Kind
    start_time: time
    end_time: time
    activity: str
    audience: str
    participants: int
    day: date | None = None
    weekday: int | None = None
    first_date: date | None = None
    last_date: date | None = None

    @property
    def start(self) -> datetime:
        assert self.day is not None
        return resolve_local(self.day, self.start_time)

    @property
    def end(self) -> datetime:
        assert self.day is not None
        return resolve_local(self.day, self.end_time)

    def common_body(self) -> dict[str, Any]:
        return {
            "space_id": str(self.space_id),
            "organisation_id": str(self.organisation_id),
            "activity": self.activity,
            "audience": self.audience,
            "participants": self.participants,
        }

    def booking_body(self) -> dict[str, Any]:
        return {
            **self.common_body(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    def series_body(self) -> dict[str, Any]:
        assert self.first_date is not None
        assert self.last_date is not None
        return {
            **self.common_body(),
            "weekday": self.weekday,
            "start_time": f"{self.start_time:%H:%M}",
            "end_time": f"{self.end_time:%H:%M}",
            "first_date": self.first_date.isoformat(),
            "last_date": self.last_date.isoformat(),
        }


@dataclass
class Checked:
    """The choice, or the messages (English msgids) by field."""

    choice: BookingChoice | None = None
    errors: dict[str, str] = field(default_factory=dict)


def check(form: BookingForm) -> Checked:
    """Read the form; every field that cannot be read gets its message."""
    errors: dict[str, str] = {}
    organisation = _uuid(form.lag)
    if organisation is None:
        errors["lag"] = NEED_ORGANISATION
    space = _uuid(form.lokale)
    if space is None:
        errors["lokale"] = NEED_SPACE
    start, end = _time(form.fra), _time(form.til)
    if start is None:
        errors["fra"] = NEED_TIME
    if end is None:
        errors["til"] = NEED_TIME
    elif start is not None and end <= start:
        errors["til"] = END_AFTER_START
    dates = _check_dates(form, errors)
    activity = form.aktivitet.strip()
    if not activity or len(activity) > MAX_TEXT:
        errors["aktivitet"] = NEED_ACTIVITY
    if form.malgruppe not in AUDIENCES:
        errors["malgruppe"] = NEED_AUDIENCE
    participants = _whole(form.deltakere)
    if participants is None or not 1 <= participants <= MAX_PARTICIPANTS:
        errors["deltakere"] = NEED_PARTICIPANTS
    if errors or not (organisation and space and start and end and participants):
        return Checked(errors=errors)
    return Checked(
        BookingChoice(
            organisation_id=organisation,
            space_id=space,
            kind="weekly" if form.weekly else "single",
            start_time=start,
            end_time=end,
            activity=activity,
            audience=form.malgruppe,
            participants=participants,
            **dates,
        )
    )


def _check_dates(form: BookingForm, errors: dict[str, str]) -> dict[str, Any]:
    if not form.weekly:
        day = parse_date(form.dato)
        if day is None:
            errors["dato"] = NEED_DATE
        return {"day": day}
    weekday = _whole(form.ukedag)
    if weekday is None or not 0 <= weekday <= 6:
        errors["ukedag"] = NEED_WEEKDAY
    first, last = parse_date(form.forste), parse_date(form.siste)
    if first is None:
        errors["forste"] = NEED_DATE
    if last is None:
        errors["siste"] = NEED_DATE
    elif first is not None and last < first:
        errors["siste"] = LAST_AFTER_FIRST
    return {"weekday": weekday, "first_date": first, "last_date": last}


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


def _time(text: str) -> time | None:
    text = text.strip().replace(".", ":")
    if len(text) == 4 and text.isdigit():  # 1800
        text = f"{text[:2]}:{text[2:]}"
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


def _whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _text(value: Any) -> str:
    return value.strip()[: MAX_TEXT * 2] if isinstance(value, str) else ""
