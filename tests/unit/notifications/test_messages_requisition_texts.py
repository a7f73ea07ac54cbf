"""The requisition messages: one per person listing every booking and loan of theirs that was
cancelled (or, once lifted, every time offered back), in bokmål and English, by email and as
one short SMS. Fixed dates: the texts depend on no "today"."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from notifications.domain.messages import SMS_MAX_LENGTH, Channel
from notifications.domain.requisitions import (
    REQUISITION_CANCELLED,
    REQUISITION_OFFERED_BACK,
    HeldTime,
    render_requisition,
)
from notifications.domain.timefmt import Language

from .feed_builders import oslo
from .test_messages_texts import GSM7

SITE, REASON = "Volla skole", "Evakueringssenter etter flom"
SATURDAY = HeldTime(
    "Volla skole, Gymsal", start=oslo(date(2026, 3, 7), 18), end=oslo(date(2026, 3, 7), 20)
)
SUNDAY = HeldTime(
    "Volla skole, Aula", start=oslo(date(2026, 3, 8), 17), end=oslo(date(2026, 3, 8), 18)
)
LOAN = HeldTime("BUA Volla", first_day=date(2026, 3, 6), last_day=date(2026, 3, 9))


def test_the_cancellation_lists_every_booking_and_loan_with_the_reason() -> None:
    items = [SATURDAY, SUNDAY, LOAN]
    nb = render_requisition(REQUISITION_CANCELLED, SITE, REASON, items, Language.NB, Channel.EMAIL)
    assert nb.subject == "Beredskap: Volla skole er rekvirert – 3 avbestilt"
    assert f"Kommunens beredskap har rekvirert Volla skole ({REASON})." in nb.body
    assert "- Volla skole, Gymsal: lørdag 7. mars 18:00–20:00\n" in nb.body
    assert "- Volla skole, Aula: søndag 8. mars 17:00–18:00\n" in nb.body
    assert "- BUA Volla (utlån): fredag 6. mars–mandag 9. mars\n" in nb.body

    en = render_requisition(REQUISITION_CANCELLED, SITE, REASON, items, Language.EN, Channel.EMAIL)
    assert en.subject == "Emergency: Volla skole is requisitioned – 3 cancelled"
    assert "- Volla skole, Gymsal: Saturday 7 March 18:00–20:00\n" in en.body
    assert "- BUA Volla (loan): Friday 6 March–Monday 9 March\n" in en.body


def test_the_offer_back_says_the_times_are_free_again() -> None:
    items = [SATURDAY, SUNDAY]
    nb = render_requisition(
        REQUISITION_OFFERED_BACK, SITE, REASON, items, Language.NB, Channel.EMAIL
    )
    assert nb.subject == "Beredskap: Volla skole er frigitt – tidene tilbys tilbake"
    assert "Rekvisisjonen av Volla skole er opphevet." in nb.body
    assert "booke dem på nytt før andre" in nb.body
    assert nb.body.count("\n- ") == 2
    en = render_requisition(
        REQUISITION_OFFERED_BACK, SITE, REASON, items, Language.EN, Channel.EMAIL
    )
    assert "The requisition of Volla skole is lifted." in en.body


def test_an_sms_is_the_summary_line() -> None:
    sms = render_requisition(
        REQUISITION_CANCELLED, SITE, REASON, [SATURDAY, LOAN], Language.NB, Channel.SMS
    )
    assert sms.body == "Beredskap: Volla skole er rekvirert - 2 avbestilt"
    assert set(sms.body) <= GSM7


@given(
    kind=st.sampled_from([REQUISITION_CANCELLED, REQUISITION_OFFERED_BACK]),
    language=st.sampled_from(list(Language)),
    site=st.text(st.sampled_from(sorted(GSM7 - {"\n", "\r"})), min_size=1, max_size=160),
    count=st.integers(min_value=1, max_value=400),
)
def test_an_sms_is_one_message_of_gsm7(
    kind: str, language: Language, site: str, count: int
) -> None:
    """Whatever the site's name (facilities allows 160 characters): shortened to fit."""
    sms = render_requisition(kind, site, REASON, [SATURDAY] * count, language, Channel.SMS)
    assert len(sms.body) <= SMS_MAX_LENGTH
    assert set(sms.body) <= GSM7
    assert sms.body.startswith("Beredskap: " if language is Language.NB else "Emergency: ")
