"""The seasonal round's messages: a club's result (every section with its times, reasons and
waiting position) and a waiting-list offer, in bokmål and English, by email and in one SMS."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.domain.messages import (
    SMS_MAX_LENGTH,
    Channel,
    Language,
    MessageKind,
    SectionAnswer,
    WeeklyTime,
    render_message,
)

from .feed_builders import oslo
from .test_messages_texts import CLUB_PAGE, GSM7, OFFER, ROUND, TUESDAY_GYM

THURSDAY_HALL = WeeklyTime(3, "19:00", "20:30", "Volla skole", "Storhallen A")


def test_each_section_is_told_with_its_times_reasons_and_waiting_place() -> None:
    sections = [
        SectionAnswer("G12", "granted", (TUESDAY_GYM, THURSDAY_HALL), "First.", "Først.", None),
        SectionAnswer("J14", "partly", (THURSDAY_HALL,), "One of two.", "Én av to.", 1),
        SectionAnswer("Old boys", "refused", (), "Adults last.", "Voksne sist.", 4),
    ]
    context = {**ROUND, "sections": sections}
    nb = render_message(MessageKind.ROUND_RESULT, Language.NB, Channel.EMAIL, context).body
    assert "G12: innvilget\nTildelt: hver tirsdag 18:00–19:30, Kjeller skole, Gymsal\n" in nb
    assert "Tildelt: hver torsdag 19:00–20:30, Volla skole, Storhallen A" in nb
    assert "J14: delvis innvilget" in nb
    assert "Old boys: ikke innvilget\nBegrunnelse: Voksne sist.\nPlass på ventelisten: 4" in nb
    assert "Begrunnelse: Én av to." in nb
    assert "One of two." not in nb, "bokmål tells the bokmål reasons"
    assert "Svaret gjelder sesongen 17. august 2026 – 18. juni 2027." in nb
    assert f"kalenderlenken på lagets side: {CLUB_PAGE}" in nb
    en = render_message(MessageKind.ROUND_RESULT, Language.EN, Channel.EMAIL, context).body
    assert "Old boys: not granted\nWhy: Adults last.\nPlace on the waiting list: 4" in en
    assert "Granted: every Thursday 19:00–20:30, Volla skole, Storhallen A" in en
    assert "Voksne sist." not in en
    assert "The result covers the season 17 August 2026 – 18 June 2027." in en


def test_a_refused_application_says_so_without_times() -> None:
    context = {
        **ROUND,
        "outcome": "refused",
        "sections": [SectionAnswer("J14", "refused", (), "Full.", "Fullt.", 1)],
    }
    message = render_message(MessageKind.ROUND_RESULT, Language.NB, Channel.EMAIL, context)
    assert "er behandlet: ikke innvilget." in message.body
    assert "Tildelt" not in message.body
    sms = render_message(MessageKind.ROUND_RESULT, Language.NB, Channel.SMS, context).body
    assert (
        sms == f"Samspill: Svar på søknaden i Hallfordeling 2026/27: ikke innvilget. Se {CLUB_PAGE}"
    )


def test_the_offer_tells_time_place_first_date_expiry_and_link() -> None:
    nb = render_message(MessageKind.WAITING_OFFER, Language.NB, Channel.EMAIL, OFFER)
    assert nb.subject == "Tilbud om ledig tid: Gymsal, hver tirsdag 18:00–19:30"
    assert "J14 i Skjetten Håndballklubb står først på ventelisten" in nb.body
    assert "hver tirsdag 18:00–19:30, Kjeller skole, Gymsal, fra 6. oktober 2026" in nb.body
    assert f"Svar innen onsdag 30. september kl. 18:00: {CLUB_PAGE}/tilbud" in nb.body
    sms = render_message(MessageKind.WAITING_OFFER, Language.EN, Channel.SMS, OFFER).body
    assert sms == (
        f"Samspill: Free time: Gymsal Tuesday 18:00-19:30. Answer by 30/9 18:00: {CLUB_PAGE}/tilbud"
    )


def test_a_given_back_date_is_offered_as_that_date_not_a_weekly_time() -> None:
    one_date = {**OFFER, "single_date": True}
    nb = render_message(MessageKind.WAITING_OFFER, Language.NB, Channel.EMAIL, one_date)
    assert "hver tirsdag" not in nb.body
    assert "6. oktober 2026 18:00–19:30, Kjeller skole, Gymsal" in nb.body
    sms = render_message(MessageKind.WAITING_OFFER, Language.NB, Channel.SMS, one_date).body
    assert "Gymsal 6.10. 18:00-19:30" in sms
    assert "Svar innen 30.9. 18:00" in sms


NAMES = st.text(alphabet=sorted(GSM7 - {"\n", "\r"}), min_size=1, max_size=300).filter(
    lambda s: s.strip() == s and s
)


@given(round_name=NAMES, space=NAMES, language=st.sampled_from(list(Language)))
def test_an_sms_is_one_message_with_the_link_whatever_the_names(
    round_name: str, space: str, language: Language
) -> None:
    result = {**ROUND, "round": round_name}
    offer = {**OFFER, "time": WeeklyTime(6, "17:30", "23:00", "Skole", space)}
    for kind, context in ((MessageKind.ROUND_RESULT, result), (MessageKind.WAITING_OFFER, offer)):
        body = render_message(kind, language, Channel.SMS, context).body
        assert len(body) <= SMS_MAX_LENGTH, body
        assert body.endswith(str(context["link"]))
        assert "\n" not in body


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        (MessageKind.ROUND_RESULT, {"outcome": "maybe"}),
        (MessageKind.ROUND_RESULT, {"sections": ["G12"]}),
        (MessageKind.ROUND_RESULT, {"season_first": oslo(date(2026, 8, 17), 0)}),
        (MessageKind.ROUND_RESULT, {"link": ""}),
        (MessageKind.WAITING_OFFER, {"time": "tirsdag 18-19"}),
        (MessageKind.WAITING_OFFER, {"expires_at": date(2026, 9, 30)}),
    ],
)
def test_missing_or_wrong_facts_are_refused(kind: MessageKind, change: dict[str, object]) -> None:
    context = {**(ROUND if kind is MessageKind.ROUND_RESULT else OFFER), **change}
    with pytest.raises(ValueError, match="context"):
        render_message(kind, Language.NB, Channel.EMAIL, context)
