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
- round_result: `organisation`, `round` (str), `outcome` (granted, partly or refused),
  `season_first`, `season_last` (date), `sections` (sequence of `SectionAnswer`), `link` (str)
- waiting_offer: `organisation`, `section` (str), `time` (`WeeklyTime`), `first_date`,
  `last_date` (date), `expires_at` (datetime), `link` (str)
- erasure_confirmed: `erased_at` (datetime); it greets no one by name, since the name is
  among what is erased

Every SMS is one message (`SMS_MAX_LENGTH`) for links of ordinary length: the names in the
round's texts are shortened to leave room for the link.
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
    format_long_date,
    format_moment,
    format_period,
    format_short_date,
    format_time_range,
    format_weekday,
    join_words,
)

__all__ = [
    "FORGOTTEN_WHEN_DONE",
    "SMS_MAX_LENGTH",
    "Channel",
    "FreeSlot",
    "Language",
    "MessageKind",
    "RenderedMessage",
    "SectionAnswer",
    "WeeklyTime",
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
    ROUND_RESULT = "round_result"
    WAITING_OFFER = "waiting_offer"
    ERASURE_CONFIRMED = "erasure_confirmed"


# Kinds whose address and text are removed as soon as they are sent or given up: the erasure
# confirmation goes to a person whose data is otherwise already erased.
FORGOTTEN_WHEN_DONE = frozenset({MessageKind.ERASURE_CONFIRMED.value})


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    body: str

    def __post_init__(self) -> None:
        # A subject is one header line: a name typed with a line break (an organisation's,
        # a hall's) must not make the message unsendable.
        object.__setattr__(self, "subject", " ".join(self.subject.split()))


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


# --- seasonal application rounds ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklyTime:
    """A weekly time in a hall, in Oslo wall-clock time (`HH:MM`; 0 = Monday)."""

    weekday: int
    start: str
    end: str
    site: str
    space: str


@dataclass(frozen=True, slots=True)
class SectionAnswer:
    """What one section of an application got, with the reasons in both languages."""

    name: str
    status: str  # granted, partly or refused
    granted: tuple[WeeklyTime, ...]
    explanation: str
    explanation_nb: str
    waiting_position: int | None = None


_OUTCOME = {
    Language.NB: {
        "granted": "innvilget",
        "partly": "delvis innvilget",
        "refused": "ikke innvilget",
    },
    Language.EN: {"granted": "granted", "partly": "partly granted", "refused": "not granted"},
}
_ELLIPSIS = "..."  # GSM-7 has no single-character ellipsis


def _outcome(context: Mapping[str, object], key: str, language: Language) -> str:
    value = context.get(key)
    if not isinstance(value, str) or value not in _OUTCOME[language]:
        raise ValueError(f"context {key!r} must be granted, partly or refused")
    return _OUTCOME[language][value]


def _weekly(time: WeeklyTime, language: Language, dash: str, *, place: bool = True) -> str:
    """`hver tirsdag 18:00–19:30, Kjeller skole, Gymsal` / `every Tuesday 18:00–19:30, …`."""
    every = "hver" if language is Language.NB else "every"
    text = f"{every} {format_weekday(time.weekday, language)} {time.start}{dash}{time.end}"
    return f"{text}, {time.site}, {time.space}" if place else text


def _shorten(text: str, room: int) -> str:
    """The text cut to `room` characters (ending in an ellipsis), or nothing without room."""
    if len(text) <= room:
        return text
    if room <= len(_ELLIPSIS) + 1:
        return ""
    return text[: room - len(_ELLIPSIS)].rstrip() + _ELLIPSIS


def _fit_sms(build: Callable[[str], str], name: str) -> str:
    """`build(name)` with the name shortened so the SMS stays one message; without room
    for even a shortened name, `build("")` (the builder leaves the name out)."""
    without = len(build(""))
    joining = len(build("x")) - 1 - without  # what naming it adds beside the name
    room = SMS_MAX_LENGTH - len(_SMS_PREFIX) - without - joining
    return build(_shorten(name, room))


def _round_result(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    organisation, round_name, link = (
        _str(context, "organisation"),
        _str(context, "round"),
        _str(context, "link"),
    )
    outcome = _outcome(context, "outcome", language)
    first = format_long_date(_date(context, "season_first"), language)
    last = format_long_date(_date(context, "season_last"), language)
    sections = _sections(context)
    dash = _dash(channel)
    if language is Language.NB:
        subject = f"Svar på søknaden: {round_name}"
        if channel is Channel.SMS:
            return _Text(
                subject,
                (
                    _fit_sms(
                        lambda name: (
                            f"Svar på søknaden{f' i {name}' if name else ''}: {outcome}. Se {link}"
                        ),
                        round_name,
                    ),
                ),
            )
        return _Text(
            subject,
            (
                f"Søknaden fra {organisation} i {round_name} er behandlet: {outcome}.",
                f"Svaret gjelder sesongen {first} {dash} {last}.",
            ),
            (
                *((_section_nb(section, dash),) for section in sections),
                (f"Se svaret, tidene og kalenderlenken på lagets side: {link}",),
            ),
        )
    subject = f"Result of your application: {round_name}"
    if channel is Channel.SMS:
        return _Text(
            subject,
            (
                _fit_sms(
                    lambda name: (
                        f"Your application{f' in {name}' if name else ''} is {outcome}. See {link}"
                    ),
                    round_name,
                ),
            ),
        )
    return _Text(
        subject,
        (
            f"The application from {organisation} in {round_name} has been handled: {outcome}.",
            f"The result covers the season {first} {dash} {last}.",
        ),
        (
            *((_section_en(section, dash),) for section in sections),
            (f"See the result, the times and the calendar link on the club's page: {link}",),
        ),
    )


def _section_nb(section: SectionAnswer, dash: str) -> str:
    lines = [f"{section.name}: {_OUTCOME[Language.NB].get(section.status, section.status)}"]
    lines += [f"Tildelt: {_weekly(time, Language.NB, dash)}" for time in section.granted]
    if section.explanation_nb:
        lines.append(f"Begrunnelse: {section.explanation_nb}")
    if section.waiting_position is not None:
        lines.append(f"Plass på ventelisten: {section.waiting_position}")
    return "\n".join(lines)


def _section_en(section: SectionAnswer, dash: str) -> str:
    lines = [f"{section.name}: {_OUTCOME[Language.EN].get(section.status, section.status)}"]
    lines += [f"Granted: {_weekly(time, Language.EN, dash)}" for time in section.granted]
    if section.explanation:
        lines.append(f"Why: {section.explanation}")
    if section.waiting_position is not None:
        lines.append(f"Place on the waiting list: {section.waiting_position}")
    return "\n".join(lines)


def _waiting_offer(context: Mapping[str, object], language: Language, channel: Channel) -> _Text:
    organisation, section, link = (
        _str(context, "organisation"),
        _str(context, "section"),
        _str(context, "link"),
    )
    time = _weekly_time(context, "time")
    first, last = _date(context, "first_date"), _date(context, "last_date")
    expires = _datetime(context, "expires_at")
    dash = _dash(channel)
    weekly = _weekly(time, language, dash)
    short = _weekly(time, language, dash, place=False).split(" ", 1)[1]  # without hver/every
    if context.get("single_date"):  # one given-back date, not a weekly time
        span = f"{time.start}{dash}{time.end}"
        weekly = f"{format_long_date(first, language)} {span}, {time.site}, {time.space}"
        short = f"{format_short_date(first, language)} {span}"
    # A given-back date is held for hours, not days: the deadline's time matters too.
    by = f"{format_short_date(to_oslo(expires).date(), language)} {to_oslo(expires):%H:%M}"
    if language is Language.NB:
        subject = f"Tilbud om ledig tid: {time.space}, {_weekly(time, language, dash, place=False)}"
        if channel is Channel.SMS:
            return _Text(
                subject,
                (
                    _fit_sms(
                        lambda name: (
                            f"Ledig tid:{f' {name}' if name else ''} {short}. "
                            f"Svar innen {by}: {link}"
                        ),
                        time.space,
                    ),
                ),
            )
        return _Text(
            subject,
            (
                f"{section} i {organisation} står først på ventelisten og får tilbud om "
                f"{weekly}, fra {format_long_date(first, language)} til "
                f"{format_long_date(last, language)}.",
                f"Svar innen {format_moment(expires, language)}: {link}",
            ),
            (("Svarer dere ikke innen fristen, går tilbudet videre til neste på ventelisten.",),),
        )
    subject = f"Free time offered: {time.space}, {_weekly(time, language, dash, place=False)}"
    if channel is Channel.SMS:
        return _Text(
            subject,
            (
                _fit_sms(
                    lambda name: (
                        f"Free time:{f' {name}' if name else ''} {short}. Answer by {by}: {link}"
                    ),
                    time.space,
                ),
            ),
        )
    return _Text(
        subject,
        (
            f"{section} of {organisation} is first on the waiting list and is offered "
            f"{weekly}, from {format_long_date(first, language)} to "
            f"{format_long_date(last, language)}.",
            f"Answer by {format_moment(expires, language)}: {link}",
        ),
        (("Without an answer in time, the offer goes to the next on the waiting list.",),),
    )


# --- a person's erasure -------------------------------------------------------------------


def _erasure_confirmed(
    context: Mapping[str, object], language: Language, channel: Channel
) -> _Text:
    when = _moment(context, "erased_at", language)
    if language is Language.NB:
        return _Text(
            "Opplysningene dine er slettet",
            (
                f"Vi har slettet opplysningene om deg i Samspill {when}, slik du ba om.",
                "Bookinger gjort for et lag eller en forening står igjen i lagets navn, og "
                "grunnlaget for betalte leier beholdes så lenge regnskapsloven krever det.",
                "Denne meldingen slettes straks den er sendt.",
            ),
            sms_lines=(f"Opplysningene dine er slettet {when}, slik du ba om.",),
        )
    return _Text(
        "Your data has been erased",
        (
            f"We erased the data Samspill held about you {when}, as you asked.",
            "Bookings made for a club or association stay in its name, and the basis of paid "
            "rentals is kept for as long as the accounting rules require.",
            "This message is deleted as soon as it is sent.",
        ),
        sms_lines=(f"Your data has been erased {when}, as you asked.",),
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
    MessageKind.ROUND_RESULT: _round_result,
    MessageKind.WAITING_OFFER: _waiting_offer,
    MessageKind.ERASURE_CONFIRMED: _erasure_confirmed,
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


def _date(context: Mapping[str, object], key: str) -> date:
    value = context.get(key)
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"context {key!r} must be a date")
    return value


def _sections(context: Mapping[str, object]) -> list[SectionAnswer]:
    raw = context.get("sections")
    if not isinstance(raw, Sequence) or not all(isinstance(s, SectionAnswer) for s in raw):
        raise ValueError("context 'sections' must be a sequence of SectionAnswer")
    return [s for s in raw if isinstance(s, SectionAnswer)]


def _weekly_time(context: Mapping[str, object], key: str) -> WeeklyTime:
    value = context.get(key)
    if not isinstance(value, WeeklyTime):
        raise ValueError(f"context {key!r} must be a WeeklyTime")
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
