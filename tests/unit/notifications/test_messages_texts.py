"""render_message: every kind in bokmål and English, by email and SMS."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.domain.messages import (
    SMS_MAX_LENGTH,
    Channel,
    FreeSlot,
    Language,
    MessageKind,
    RenderedMessage,
    SectionAnswer,
    WeeklyTime,
    render_message,
)
from notifications.domain.timefmt import format_moment, format_period

from .feed_builders import OSLO, oslo

# GSM 03.38 basic set: an SMS in these characters holds 160 of them (æøå included).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

EVENING = date(2026, 3, 3)  # a Tuesday
BOOKING: dict[str, object] = {
    "organisation": "Skjetten Håndballklubb",
    "site": "Skjetten skole",
    "space": "Gymsal",
    "start": oslo(EVENING, 18),
    "end": oslo(EVENING, 20),
}
LOAN: dict[str, object] = {
    "centre": "BUA Lillestrøm",
    "items": ["2 par ski (120 cm)", "1 hjelm"],
    "pickup": oslo(date(2026, 2, 13), 16),
    "due": oslo(date(2026, 2, 23), 16),
}
CLUB_PAGE = "https://samspill.lillestrom.kommune.no/lag/6f1d2c7e-5b0a-4f43-9a0e-2f1c8d6b7a11"
TUESDAY_GYM = WeeklyTime(1, "18:00", "19:30", "Kjeller skole", "Gymsal")
ROUND: dict[str, object] = {
    "organisation": "Skjetten Håndballklubb",
    "round": "Hallfordeling 2026/27",
    "outcome": "partly",
    "season_first": date(2026, 8, 17),
    "season_last": date(2027, 6, 18),
    "sections": [
        SectionAnswer("G12", "granted", (TUESDAY_GYM,), "First choice.", "Førstevalget.", None),
        SectionAnswer("J14", "refused", (), "Taken by a youth team.", "Gikk til et ungdomslag.", 2),
    ],
    "link": CLUB_PAGE,
}
OFFER: dict[str, object] = {
    "organisation": "Skjetten Håndballklubb",
    "section": "J14",
    "time": TUESDAY_GYM,
    "first_date": date(2026, 10, 6),
    "last_date": date(2027, 6, 15),
    "expires_at": oslo(date(2026, 9, 30), 18),
    "link": f"{CLUB_PAGE}/tilbud",
}
CONTEXTS: dict[MessageKind, dict[str, object]] = {
    MessageKind.BOOKING_CONFIRMED: {**BOOKING, "activity": "håndball"},
    MessageKind.BOOKING_REJECTED: {**BOOKING, "comment": "Salen er opptatt"},
    MessageKind.BOOKING_CANCELLED: {**BOOKING, "reason": "closure"},
    MessageKind.APPROVAL_REQUESTED: {**BOOKING, "occurrences": 12},
    MessageKind.LOAN_RESERVED: LOAN,
    MessageKind.REMINDER_BOOKING_TOMORROW: BOOKING,
    MessageKind.REMINDER_PICKUP_TOMORROW: LOAN,
    MessageKind.REMINDER_RETURN_TOMORROW: LOAN,
    MessageKind.LOAN_OVERDUE: LOAN,
    MessageKind.ROUND_RESULT: ROUND,
    MessageKind.WAITING_OFFER: OFFER,
    MessageKind.ERASURE_CONFIRMED: {"erased_at": oslo(EVENING, 18)},
}
NB_WHEN = "tirsdag 3. mars kl. 18:00–20:00"
EN_WHEN = "Tuesday 3 March, 18:00–20:00"
# What each kind must tell, in bokmål and English (email bodies).
EXPECTED: dict[MessageKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    MessageKind.BOOKING_CONFIRMED: (
        ("er bekreftet", NB_WHEN, "Skjetten skole, Gymsal", "(håndball)"),
        ("is confirmed", EN_WHEN, "Skjetten skole, Gymsal", "(håndball)"),
    ),
    MessageKind.BOOKING_REJECTED: (
        ("er avslått", NB_WHEN, "Begrunnelse: Salen er opptatt"),
        ("was declined", EN_WHEN, "Reason: Salen er opptatt"),
    ),
    MessageKind.BOOKING_CANCELLED: (
        ("er avlyst fordi lokalet er stengt", NB_WHEN),
        ("is cancelled: the premises are closed", EN_WHEN),
    ),
    MessageKind.APPROVAL_REQUESTED: (
        ("Skjetten Håndballklubb ber om", "ukentlig 12 ganger", "Godkjenn eller avslå"),
        ("Skjetten Håndballklubb requests", "weekly, 12 times", "Approve or decline"),
    ),
    MessageKind.LOAN_RESERVED: (
        ("2 par ski (120 cm) og 1 hjelm", "Hent fredag 13. februar kl. 16:00", "gratis"),
        ("2 par ski (120 cm) and 1 hjelm", "Pick up Friday 13 February at 16:00", "free"),
    ),
    MessageKind.REMINDER_BOOKING_TOMORROW: (("i morgen", NB_WHEN), ("tomorrow", EN_WHEN)),
    MessageKind.REMINDER_PICKUP_TOMORROW: (
        ("Hent 2 par ski", "i morgen, fredag 13. februar kl. 16:00"),
        ("pick up 2 par ski", "tomorrow, Friday 13 February at 16:00"),
    ),
    MessageKind.REMINDER_RETURN_TOMORROW: (
        ("Lever 2 par ski", "i morgen, mandag 23. februar kl. 16:00"),
        ("return 2 par ski", "tomorrow, Monday 23 February at 16:00"),
    ),
    MessageKind.LOAN_OVERDUE: (
        ("skulle vært levert til BUA Lillestrøm mandag 23. februar kl. 16:00",),
        ("were due back at BUA Lillestrøm on Monday 23 February at 16:00",),
    ),
    MessageKind.ROUND_RESULT: (
        ("delvis innvilget", "Tildelt: hver tirsdag 18:00–19:30", "ventelisten: 2", CLUB_PAGE),
        ("partly granted", "Granted: every Tuesday 18:00–19:30", "waiting list: 2", CLUB_PAGE),
    ),
    MessageKind.WAITING_OFFER: (
        ("hver tirsdag 18:00–19:30", "Svar innen onsdag 30. september kl. 18:00", "/tilbud"),
        ("every Tuesday 18:00–19:30", "Answer by Wednesday 30 September at 18:00", "/tilbud"),
    ),
    MessageKind.ERASURE_CONFIRMED: (
        ("slettet opplysningene om deg", "står igjen i lagets navn"),
        ("erased the data Samspill held about you", "stay in its name"),
    ),
}
ALL_CASES = [(kind, language) for kind in MessageKind for language in Language]


def _render(
    kind: MessageKind,
    language: Language,
    channel: Channel,
    context: Mapping[str, object] | None = None,
) -> RenderedMessage:
    return render_message(kind, language, channel, CONTEXTS[kind] if context is None else context)


@pytest.mark.parametrize(("kind", "language"), ALL_CASES)
def test_email_tells_what_the_kind_is_about(kind: MessageKind, language: Language) -> None:
    message = _render(kind, language, Channel.EMAIL)
    nb, en = EXPECTED[kind]
    for fragment in nb if language is Language.NB else en:
        assert fragment in message.body
    assert message.subject
    assert "\n" not in message.subject
    signature = "Hilsen Samspill" if language is Language.NB else "Regards, Samspill"
    assert signature in message.body


@pytest.mark.parametrize(("kind", "language"), ALL_CASES)
def test_sms_is_one_gsm7_message(kind: MessageKind, language: Language) -> None:
    message = _render(kind, language, Channel.SMS)
    assert message.body.startswith("Samspill: ")
    assert len(message.body) <= SMS_MAX_LENGTH
    assert set(message.body) <= GSM7, set(message.body) - GSM7
    assert "\n" not in message.body


@pytest.mark.parametrize("kind", list(MessageKind))
def test_languages_differ(kind: MessageKind) -> None:
    nb = _render(kind, Language.NB, Channel.EMAIL)
    en = _render(kind, Language.EN, Channel.EMAIL)
    assert nb.subject != en.subject
    assert nb.body != en.body


def test_closure_cancellation_lists_free_slots_that_evening() -> None:
    context = {
        **BOOKING,
        "reason": "closure",
        "closure_note": "eksamen",
        "free_slots": [
            FreeSlot("Aula", oslo(EVENING, 20), oslo(EVENING, 22)),
            FreeSlot("Klasserom 2", oslo(EVENING, 18), oslo(EVENING, 20)),
            FreeSlot("Aula", oslo(EVENING + timedelta(days=1), 18), oslo(EVENING, 23)),
        ],
    }
    nb = _render(MessageKind.BOOKING_CANCELLED, Language.NB, Channel.EMAIL, context)
    assert "lokalet er stengt (eksamen)" in nb.body
    assert "Ledige tider samme kveld: Klasserom 2 18:00–20:00, Aula 20:00–22:00." in nb.body
    en = _render(MessageKind.BOOKING_CANCELLED, Language.EN, Channel.EMAIL, context)
    assert "Free the same evening: Klasserom 2 18:00–20:00, Aula 20:00–22:00." in en.body


def test_sms_lists_as_many_free_slots_as_fit() -> None:
    slots = [FreeSlot(f"Klasserom {n}", oslo(EVENING, 18), oslo(EVENING, 21)) for n in range(9)]
    context = {**BOOKING, "reason": "closure", "free_slots": slots}
    sms = _render(MessageKind.BOOKING_CANCELLED, Language.NB, Channel.SMS, context).body
    assert "lokalet er stengt" in sms
    assert "Ledige tider samme kveld: Klasserom 0 18:00-21:00" in sms
    assert "Klasserom 8" not in sms
    assert len(sms) <= SMS_MAX_LENGTH


def test_other_cancellation_does_not_mention_closure() -> None:
    context = {**BOOKING, "reason": "organisation"}
    nb = _render(MessageKind.BOOKING_CANCELLED, Language.NB, Channel.EMAIL, context)
    assert (
        "Bookingen av Skjetten skole, Gymsal tirsdag 3. mars kl. 18:00–20:00 er avlyst." in nb.body
    )
    assert "stengt" not in nb.body
    assert "Ledige tider" not in nb.body


def test_long_names_still_give_the_main_sms_sentence() -> None:
    context = {**BOOKING, "organisation": "O" * 60, "site": "S" * 80, "reason": "closure"}
    sms = _render(MessageKind.BOOKING_CANCELLED, Language.NB, Channel.SMS, context).body
    assert "S" * 80 in sms
    assert "er avlyst" in sms


def test_optional_facts_can_be_left_out() -> None:
    rejected = _render(MessageKind.BOOKING_REJECTED, Language.NB, Channel.EMAIL, BOOKING)
    assert "Begrunnelse" not in rejected.body
    approval = _render(MessageKind.APPROVAL_REQUESTED, Language.EN, Channel.EMAIL, BOOKING)
    assert "weekly" not in approval.body


def test_greeting_uses_the_organisation_when_known() -> None:
    booking = _render(MessageKind.BOOKING_CONFIRMED, Language.NB, Channel.EMAIL)
    assert booking.body.startswith("Hei Skjetten Håndballklubb!\n\n")
    loan = _render(MessageKind.LOAN_RESERVED, Language.EN, Channel.EMAIL)
    assert loan.body.startswith("Hello!\n\n")


@pytest.mark.parametrize(
    ("kind", "drop", "message"),
    [
        (MessageKind.BOOKING_CONFIRMED, "start", "'start' must be a datetime"),
        (MessageKind.BOOKING_CANCELLED, "reason", "'reason'"),
        (MessageKind.LOAN_RESERVED, "items", "'items'"),
        (MessageKind.LOAN_OVERDUE, "due", "'due'"),
        (MessageKind.REMINDER_BOOKING_TOMORROW, "space", "'space'"),
    ],
)
def test_missing_facts_are_reported(kind: MessageKind, drop: str, message: str) -> None:
    context = {key: value for key, value in CONTEXTS[kind].items() if key != drop}
    with pytest.raises(ValueError, match=message):
        _render(kind, Language.NB, Channel.EMAIL, context)


def test_naive_times_and_reversed_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _render(
            MessageKind.BOOKING_CONFIRMED,
            Language.NB,
            Channel.SMS,
            {**BOOKING, "start": datetime(2026, 3, 3, 18)},
        )
    with pytest.raises(ValueError, match="after start"):
        _render(
            MessageKind.BOOKING_CONFIRMED,
            Language.NB,
            Channel.SMS,
            {**BOOKING, "end": oslo(EVENING, 17)},
        )
    with pytest.raises(ValueError, match="'items'"):
        _render(MessageKind.LOAN_RESERVED, Language.NB, Channel.SMS, {**LOAN, "items": "ski"})


def test_times_are_shown_in_oslo_time() -> None:
    winter = datetime(2026, 3, 3, 17, tzinfo=UTC)
    summer = datetime(2026, 6, 2, 16, tzinfo=UTC)
    assert format_period(winter, winter + timedelta(hours=2), Language.NB) == NB_WHEN
    assert format_period(summer, summer + timedelta(hours=2), Language.NB) == (
        "tirsdag 2. juni kl. 18:00–20:00"
    )
    assert format_period(summer, summer + timedelta(hours=2), Language.EN) == (
        "Tuesday 2 June, 18:00–20:00"
    )


def test_period_past_midnight_names_both_days() -> None:
    start, end = oslo(date(2026, 10, 24), 22), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert format_period(start, end, Language.NB) == (
        "lørdag 24. oktober kl. 22:00 – søndag 25. oktober kl. 02:30"
    )
    assert format_period(start, end, Language.EN) == (
        "Saturday 24 October at 22:00 – Sunday 25 October at 02:30"
    )


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    )
)
def test_moment_shows_the_oslo_wall_clock(instant: datetime) -> None:
    local = instant.astimezone(OSLO)
    nb = format_moment(instant, Language.NB)
    assert f" {local.day}. " in nb
    assert nb.endswith(f" kl. {local:%H:%M}")
    assert format_moment(instant, Language.EN).endswith(f" at {local:%H:%M}")


@pytest.mark.parametrize("kind", list(MessageKind))
def test_a_name_with_a_line_break_leaves_the_subject_one_line(kind: MessageKind) -> None:
    names = {"organisation", "site", "space", "activity", "centre", "round", "recipient_name"}
    context = {
        key: (f"{value}\r\nBcc: someone@example.no" if key in names else value)
        for key, value in CONTEXTS[kind].items()
    }
    message = _render(kind, Language.NB, Channel.EMAIL, context)
    assert "\r" not in message.subject
    assert "\n" not in message.subject
