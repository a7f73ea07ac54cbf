"""Dates and times as people in Norway read them, in bokmål and English (Europe/Oslo)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from notifications.domain.localtime import require_aware, to_oslo


class Language(StrEnum):
    NB = "nb"
    EN = "en"


EN_DASH = "–"
PLAIN_DASH = "-"  # GSM-7 has no en dash; one would force an SMS into UCS-2 (70 chars)

_WEEKDAYS = {
    Language.NB: ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    Language.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    Language.NB: (
        "januar", "februar", "mars", "april", "mai", "juni",
        "juli", "august", "september", "oktober", "november", "desember",
    ),
    Language.EN: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def format_day(value: datetime, language: Language) -> str:
    """`tirsdag 3. mars` / `Tuesday 3 March`."""
    require_aware(value, "value")
    return format_date(to_oslo(value).date(), language)


def format_date(local: date, language: Language) -> str:
    """A calendar date (already local): `tirsdag 3. mars` / `Tuesday 3 March`."""
    weekday = _WEEKDAYS[language][local.weekday()]
    month = _MONTHS[language][local.month - 1]
    if language is Language.NB:
        return f"{weekday} {local.day}. {month}"
    return f"{weekday} {local.day} {month}"


def format_weekday(weekday: int, language: Language) -> str:
    """`tirsdag` / `Tuesday` (0 = Monday)."""
    return _WEEKDAYS[language][weekday]


def format_long_date(local: date, language: Language) -> str:
    """A date with its year: `3. mars 2027` / `3 March 2027`."""
    month = _MONTHS[language][local.month - 1]
    if language is Language.NB:
        return f"{local.day}. {month} {local.year}"
    return f"{local.day} {month} {local.year}"


def format_short_date(local: date, language: Language) -> str:
    """For an SMS: `3.3.` / `3/3`."""
    if language is Language.NB:
        return f"{local.day}.{local.month}."
    return f"{local.day}/{local.month}"


def format_clock(value: datetime) -> str:
    return to_oslo(value).strftime("%H:%M")


def format_time_range(start: datetime, end: datetime, *, dash: str = EN_DASH) -> str:
    """`18:00–20:00`, in Oslo time."""
    return f"{format_clock(start)}{dash}{format_clock(end)}"


def format_moment(value: datetime, language: Language) -> str:
    """`tirsdag 3. mars kl. 18:00` / `Tuesday 3 March at 18:00`."""
    joiner = "kl." if language is Language.NB else "at"
    return f"{format_day(value, language)} {joiner} {format_clock(value)}"


def format_period(
    start: datetime, end: datetime, language: Language, *, dash: str = EN_DASH
) -> str:
    """`tirsdag 3. mars kl. 18:00–20:00` / `Tuesday 3 March, 18:00–20:00`.

    A period that ends on a later local day names both days.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    if to_oslo(start).date() != to_oslo(end).date():
        return f"{format_moment(start, language)} {dash} {format_moment(end, language)}"
    joiner = " kl. " if language is Language.NB else ", "
    return f"{format_day(start, language)}{joiner}{format_time_range(start, end, dash=dash)}"


def join_words(words: list[str], language: Language) -> str:
    """`ski, staver og hjelm` / `skis, poles and helmet`."""
    if len(words) <= 1:
        return "".join(words)
    conjunction = " og " if language is Language.NB else " and "
    return ", ".join(words[:-1]) + conjunction + words[-1]
