"""The one message a person gets about a requisition: every booking and loan of theirs it
cancelled (or, once lifted, every time offered back), in their language and channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from notifications.domain.messages import SMS_MAX_LENGTH, Channel, RenderedMessage
from notifications.domain.timefmt import Language, format_date, format_day, format_time_range

REQUISITION_CANCELLED = "requisition_cancelled"
REQUISITION_OFFERED_BACK = "requisition_offered_back"
_ELLIPSIS = "..."  # GSM-7 has neither a single-character ellipsis nor an en dash


@dataclass(frozen=True, slots=True)
class HeldTime:
    """One booking (space, start, end) or loan (centre, pickup, return) of the person."""

    place: str
    start: datetime | None = None
    end: datetime | None = None
    first_day: date | None = None
    last_day: date | None = None


def _line(item: HeldTime, language: Language) -> str:
    if item.start is not None and item.end is not None:
        return (
            f"- {item.place}: {format_day(item.start, language)} "
            f"{format_time_range(item.start, item.end)}"
        )
    assert item.first_day is not None
    assert item.last_day is not None
    loan = "utlån" if language is Language.NB else "loan"
    days = f"{format_date(item.first_day, language)}–{format_date(item.last_day, language)}"
    return f"- {item.place} ({loan}): {days}"


def render_requisition(
    kind: str,
    site: str,
    reason: str,
    items: Sequence[HeldTime],
    language: Language,
    channel: Channel,
) -> RenderedMessage:
    """The grouped message; an SMS is short (the count and the site, not every line)."""
    cancelled = kind == REQUISITION_CANCELLED
    if channel is Channel.SMS:
        return _sms(cancelled, site, len(items), language)
    subject, lead = _texts(cancelled, site, reason, len(items), language)
    lines = "\n".join(_line(item, language) for item in items)
    return RenderedMessage(subject=subject, body=f"{lead}\n\n{lines}\n")


def _texts(
    cancelled: bool, site: str, reason: str, count: int, language: Language
) -> tuple[str, str]:
    if language is Language.NB:
        subject = (
            f"Beredskap: {site} er rekvirert – {count} avbestilt"
            if cancelled
            else f"Beredskap: {site} er frigitt – tidene tilbys tilbake"
        )
        lead = (
            f"Kommunens beredskap har rekvirert {site} ({reason}). Disse bookingene og "
            "utlånene dine er avbestilt:"
            if cancelled
            else f"Rekvisisjonen av {site} er opphevet. Disse tidene er ledige igjen, og du kan "
            "booke dem på nytt før andre:"
        )
    else:
        subject = (
            f"Emergency: {site} is requisitioned – {count} cancelled"
            if cancelled
            else f"Emergency: {site} is released – your times are offered back"
        )
        lead = (
            f"The municipality's emergency staff requisitioned {site} ({reason}). These "
            "bookings and loans of yours are cancelled:"
            if cancelled
            else f"The requisition of {site} is lifted. These times are free again, and you may "
            "book them again first:"
        )
    return subject, lead


def _sms(cancelled: bool, site: str, count: int, language: Language) -> RenderedMessage:
    """The summary line as one SMS of GSM-7 characters: the site's name is shortened when it
    would not fit."""

    def build(name: str) -> str:
        subject, _ = _texts(cancelled, name, "", count, language)
        return subject.replace(" – ", " - ")

    room = SMS_MAX_LENGTH - len(build(""))
    if len(site) > room:
        site = site[: max(room - len(_ELLIPSIS), 0)].rstrip() + _ELLIPSIS
    text = build(site)
    return RenderedMessage(subject=text, body=text)
