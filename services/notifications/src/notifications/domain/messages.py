"""Message texts for email and SMS, in Norwegian bokmål and English.

`render_message` reads these context keys (datetimes timezone-aware, shown in Oslo time):

- every kind: optional `recipient_name` (str), whom an email greets (else `organisation`)
- booking kinds: `organisation`, `site`, `space` (str), `start`, `end` (datetime),
  optional `activity` (str)
- booking_rejected: optional `comment` (str)
- booking_cancelled: `reason` (str; `closure` is told as such), optional `closure_note`
  (str) and `free_slots` (sequence of `FreeSlot`; those on the booking's evening are listed)
- booking_confirmed, approval_requested: optional `occurrences` (int, for a weekly series)
- loan kinds: `centre` (str), `items` (sequence of str); `pickup` (datetime, or a date
  when only the day is known) for loan_reserved and reminder_pickup_tomorrow; `due`
  (datetime or date) for loan_reserved, reminder_return_tomorrow and loan_overdue
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from notifications.domain.localtime import require_aware, to_oslo
from notifications.domain.timefmt import (
    EN_DASH,
    PLAIN_DASH,
    Language,
    format_date,
    format_day,
    format_moment,
    format_period,
    format_time_range,
    join_words,
)

__all__ = [
    "SMS_MAX_LENGTH",
    "Channel",
    "FreeSlot",
    "Language",
    "MessageKind",
    "RenderedMessage",
    "render_message",
]

SMS_MAX_LENGTH = 160
CLOSURE_REASON = "closure"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class MessageKind(StrEnum):
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_REJECTED = "booking_rejected"
    BOOKING_CANCELLED = "booking_cancelled"
    APPROVAL_REQUESTED = "approval_requested"
    LOAN_RESERVED = "loan_reserved"
    REMINDER_BOOKING_TOMORROW = "reminder_booking_tomorrow"
    REMINDER_PICKUP_TOMORROW = "reminder_pickup_tomorrow"
    REMINDER_RETURN_TOMORROW = "reminder_return_tomorrow"
    LOAN_OVERDUE = "loan_overdue"


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A free period of a space at the same site, offered after a cancellation."""

    space: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class _Text:
    """One message before layout.

    `lines` are the main sentences (`sms_lines` replaces them in an SMS when set).
    Each extra is a paragraph given as alternatives from fullest to shortest: an
    email takes the first, an SMS the first that still fits in one message, or none.
    """

    subject: str
    lines: tuple[str, ...]
    extras: tuple[tuple[str, ...], ...] = ()
    sms_lines: tuple[str, ...] | None = None


_Builder = Callable[[Mapping[str, object], Language, Channel], _Text]

_SIGNATURE = {
    Language.NB: "Hilsen Samspill, Lillestrøm kommune",
    Language.EN: "Regards, Samspill, Lillestrøm municipality",
}
_GREETING = {Language.NB: "Hei", Language.EN: "Hello"}
_SMS_PREFIX = "Samspill: "


def render_message(
    kind: MessageKind, language: Language, channel: Channel, context: Mapping[str, object]
) -> RenderedMessage:
    """Subject and body of one message; raises ValueError when the context lacks a fact."""
    text = _BUILDERS[kind](context, language, channel)
    if channel is Channel.SMS:
        return RenderedMessage(text.subject, _sms_body(text))
    return RenderedMessage(text.subject, _email_body(text, context, language))


def _email_body(text: _Text, context: Mapping[str, object], language: Language) -> str:
    name = _optional_str(context, "recipient_name") or _optional_str(context, "organisation")
    greeting = f"{_GREETING[language]} {name}!" if name else f"{_GREETING[language]}!"
    extras = [alternatives[0] for alternatives in text.extras if alternatives]
    paragraphs = [greeting, "\n".join(text.lines), *extras, _SIGNATURE[language]]
    return "\n\n".join(paragraphs) + "\n"


def _sms_body(text: _Text) -> str:
    """Main sentences always; extras only while the SMS stays within one 160-char message."""
    body = _SMS_PREFIX + " ".join(text.sms_lines or text.lines)
    for alternatives in text.extras:
        fitting = [extra for extra in alternatives if len(body) + 1 + len(extra) <= SMS_MAX_LENGTH]
        if not fitting:
            break
        body = f"{body} {fitting[0]}"
    return body


def _dash(channel: Channel) -> str:
    return PLAIN_DASH if channel is Channel.SMS else EN_DASH


# --- bookings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Booking:
    organisation: str
    place: str
    space: str
    start: datetime
    end: datetime
    activity: str | None


def _booking(context: Mapping[str, object]) -> _Booking:
    start, end = _datetime(context, "start"), _datetime(context, "end")
    if end <= start:
        raise ValueError("context end must be after start")
    space = _str(context, "space")
    return _Booking(
        organisation=_str(context, "organisation"),
        place=f"{_str(context, 'site')}, {space}",
        space=space,
        start=start,
        end=end,
        activity=_optional_str(context, "activity"),
    )


def _activity_suffix(booking: _Booking) -> str:
    return f" ({booking.activity})" if booking.activity else ""


def _booking_confirmed(
    context: Mapping[str, object], language: Language, channel: Channel
) -> _Text:
    b = _booking(context)
    when = format_period(b.start, b.end, language, dash=_dash(channel))
    day = format_day(b.start, language)
    count = _optional_int(context, "occurrences")
    if language is Language.NB:
        series = f", ukentlig {count} ganger" if count and count > 1 else ""
        return _Text(
            f"Booking bekreftet: {b.space}, {day}",
            (f"Bookingen av {b.place} {when}{series}{_activity_suffix(b)} er bekreftet.",),
        )
    series = f", weekly, {count} times" if count and count > 1 else ""
    return _Text(
        f"Booking confirmed: {b.space}, {day}",
        (f"Your booking of {b.place} on {when}{series}{_activity_suffix(b)} is confirmed.",),
    )


def _booking_rejected(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    b = _booking(context)
    when = format_period(b.start, b.end, language, dash=_dash(channel))
    day = format_day(b.start, language)
    comment = _optional_str(context, "comment")
    if language is Language.NB:
        lines = [f"Forespørselen om {b.place} {when} er avslått."]
        lines += [f"Begrunnelse: {comment}"] if comment else []
        return _Text(f"Forespørsel avslått: {b.space}, {day}", tuple(lines))
    lines = [f"Your request for {b.place} on {when} was declined."]
    lines += [f"Reason: {comment}"] if comment else []
    return _Text(f"Request declined: {b.space}, {day}", tuple(lines))


def _booking_cancelled(
    context: Mapping[str, object], language: Language, channel: Channel
) -> _Text:
    b = _booking(context)
    when = format_period(b.start, b.end, language, dash=_dash(channel))
    day = format_day(b.start, language)
    closure = _str(context, "reason") == CLOSURE_REASON
    note = _optional_str(context, "closure_note")
    cause = f" ({note})" if note else ""
    slots = _free_slots_extra(context, b, language, _dash(channel))
    if language is Language.NB:
        reason = f" fordi lokalet er stengt{cause}" if closure else ""
        short = f": lokalet er stengt{cause}" if closure else ""
        return _Text(
            f"Booking avlyst: {b.space}, {day}",
            (f"Bookingen av {b.place} {when} er avlyst{reason}.",),
            slots,
            (f"{b.place} {when} er avlyst{short}.",),
        )
    reason = f": the premises are closed{cause}" if closure else ""
    return _Text(
        f"Booking cancelled: {b.space}, {day}",
        (f"Your booking of {b.place} on {when} is cancelled{reason}.",),
        slots,
        (f"Cancelled: {b.place} on {when}{reason}.",),
    )


def _free_slots_extra(
    context: Mapping[str, object], b: _Booking, language: Language, dash: str
) -> tuple[tuple[str, ...], ...]:
    """`Ledige tider samme kveld: …` with all free slots that evening, then with fewer."""
    evening = to_oslo(b.start).date()
    slots = sorted(
        (s for s in _slots(context) if to_oslo(s.start).date() == evening),
        key=lambda s: (s.start, s.space),
    )
    if not slots:
        return ()
    header = "Ledige tider samme kveld" if language is Language.NB else "Free the same evening"
    listed = [f"{s.space} {format_time_range(s.start, s.end, dash=dash)}" for s in slots]
    return (tuple(f"{header}: {', '.join(listed[:n])}." for n in range(len(listed), 0, -1)),)


def _approval_requested(
    context: Mapping[str, object], language: Language, channel: Channel
) -> _Text:
    b = _booking(context)
    when = format_period(b.start, b.end, language, dash=_dash(channel))
    day = format_day(b.start, language)
    count = _optional_int(context, "occurrences")
    if language is Language.NB:
        series = f", ukentlig {count} ganger" if count and count > 1 else ""
        return _Text(
            f"Ny forespørsel: {b.organisation}, {b.space}, {day}",
            (
                f"{b.organisation} ber om {b.place} {when}{series}{_activity_suffix(b)}.",
                "Godkjenn eller avslå i Samspill.",
            ),
        )
    series = f", weekly, {count} times" if count and count > 1 else ""
    return _Text(
        f"New request: {b.organisation}, {b.space}, {day}",
        (
            f"{b.organisation} requests {b.place} on {when}{series}{_activity_suffix(b)}.",
            "Approve or decline it in Samspill.",
        ),
    )


def _reminder_booking(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    b = _booking(context)
    when = format_period(b.start, b.end, language, dash=_dash(channel))
    if language is Language.NB:
        return _Text(
            f"Påminnelse: {b.space} i morgen",
            (f"Påminnelse: {b.organisation} har {b.place} i morgen, {when}.",),
        )
    return _Text(
        f"Reminder: {b.space} tomorrow",
        (f"Reminder: {b.organisation} has {b.place} tomorrow, {when}.",),
    )


# --- loans --------------------------------------------------------------------------------


def _items(context: Mapping[str, object], language: Language) -> str:
    raw = context.get("items")
    if isinstance(raw, str) or not isinstance(raw, Sequence) or not raw:
        raise ValueError("context 'items' must be a non-empty sequence of strings")
    if not all(isinstance(item, str) and item for item in raw):
        raise ValueError("context 'items' must hold non-empty strings")
    return join_words([str(item) for item in raw], language)


def _loan_reserved(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    centre, items = _str(context, "centre"), _items(context, language)
    pickup = _moment(context, "pickup", language)
    due = _moment(context, "due", language)
    if language is Language.NB:
        return _Text(
            f"Utlån reservert hos {centre}",
            (f"Du har reservert {items} hos {centre}.", f"Hent {pickup}, lever {due}."),
            (("Utlånet er gratis.",),),
        )
    return _Text(
        f"Loan reserved at {centre}",
        (f"You have reserved {items} at {centre}.", f"Pick up {pickup}, return {due}."),
        (("The loan is free of charge.",),),
    )


def _reminder_pickup(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    centre, items = _str(context, "centre"), _items(context, language)
    pickup = _moment(context, "pickup", language)
    if language is Language.NB:
        return _Text(
            f"Påminnelse: hent utstyr hos {centre} i morgen",
            (f"Påminnelse: Hent {items} hos {centre} i morgen, {pickup}.",),
        )
    return _Text(
        f"Reminder: pick up equipment at {centre} tomorrow",
        (f"Reminder: pick up {items} at {centre} tomorrow, {pickup}.",),
    )


def _reminder_return(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    centre, items = _str(context, "centre"), _items(context, language)
    due = _moment(context, "due", language)
    if language is Language.NB:
        return _Text(
            f"Påminnelse: lever utstyr til {centre} i morgen",
            (f"Påminnelse: Lever {items} til {centre} i morgen, {due}.",),
        )
    return _Text(
        f"Reminder: return equipment to {centre} tomorrow",
        (f"Reminder: return {items} to {centre} tomorrow, {due}.",),
    )


def _loan_overdue(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    centre, items = _str(context, "centre"), _items(context, language)
    due = _moment(context, "due", language)
    if language is Language.NB:
        return _Text(
            f"Utlånet hos {centre} skulle vært levert",
            (
                f"{items.capitalize()} skulle vært levert til {centre} {due}.",
                "Lever så snart du kan, så flere får låne.",
            ),
        )
    return _Text(
        f"Your loan from {centre} is overdue",
        (
            f"{items.capitalize()} were due back at {centre} on {due}.",
            "Please return them soon so others can borrow them.",
        ),
    )


_BUILDERS: dict[MessageKind, _Builder] = {
    MessageKind.BOOKING_CONFIRMED: _booking_confirmed,
    MessageKind.BOOKING_REJECTED: _booking_rejected,
    MessageKind.BOOKING_CANCELLED: _booking_cancelled,
    MessageKind.APPROVAL_REQUESTED: _approval_requested,
    MessageKind.LOAN_RESERVED: _loan_reserved,
    MessageKind.REMINDER_BOOKING_TOMORROW: _reminder_booking,
    MessageKind.REMINDER_PICKUP_TOMORROW: _reminder_pickup,
    MessageKind.REMINDER_RETURN_TOMORROW: _reminder_return,
    MessageKind.LOAN_OVERDUE: _loan_overdue,
}


# --- context access -----------------------------------------------------------------------


def _str(context: Mapping[str, object], key: str) -> str:
    value = context.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"context {key!r} must be a non-empty string")
    return value


def _optional_str(context: Mapping[str, object], key: str) -> str | None:
    return _str(context, key) if context.get(key) not in (None, "") else None


def _optional_int(context: Mapping[str, object], key: str) -> int | None:
    value = context.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"context {key!r} must be an integer")
    return value


def _datetime(context: Mapping[str, object], key: str) -> datetime:
    value = context.get(key)
    if not isinstance(value, datetime):
        raise ValueError(f"context {key!r} must be a datetime")
    require_aware(value, key)
    return value


def _moment(context: Mapping[str, object], key: str, language: Language) -> str:
    """A datetime with its clock time, or a plain date as the day alone."""
    value = context.get(key)
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value, language)
    return format_moment(_datetime(context, key), language)


def _slots(context: Mapping[str, object]) -> list[FreeSlot]:
    raw = context.get("free_slots")
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or not all(isinstance(s, FreeSlot) for s in raw):
        raise ValueError("context 'free_slots' must be a sequence of FreeSlot")
    return [s for s in raw if isinstance(s, FreeSlot)]
