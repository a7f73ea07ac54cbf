"""The public activity's rules: language codes, and nothing that reaches or names a member."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.domain.activities import (
    check_organisation_level,
    check_still_running,
    normalise_languages,
)
from samspill.errors import RuleViolation


def test_languages_are_lowercase_codes_without_repeats():
    assert normalise_languages(["NB", " en", "nb"]) == ["nb", "en"]
    for bad in (["norsk"], ["n"], [], ["e1"]):
        with pytest.raises(RuleViolation) as refused:
            normalise_languages(bad)
        assert refused.value.extra["field"] == "languages"


def test_a_members_personal_email_or_name_is_refused():
    emails, names = ["kari.nordmann@example.org"], ["Kari Nordmann", "Bo"]
    check_organisation_level("post@klubben.no or https://klubben.no", "Fotball", emails, names)
    check_organisation_level("Ring 91234567", "Bo i nærheten? Bli med!", emails, names)
    for how, description in (
        ("Send to KARI.nordmann@example.org.", "Fotball"),
        ("https://klubben.no", "Trener: kari   nordmann"),
    ):
        with pytest.raises(RuleViolation):
            check_organisation_level(how, description, emails, names)


@given(st.text(max_size=60))
def test_a_text_without_a_members_address_or_name_passes(text: str):
    emails, names = ["kari.nordmann@example.org"], ["Kari Nordmann"]
    if "kari" in text.casefold():
        return
    check_organisation_level(text, text, emails, names)


def test_only_a_running_series_is_published():
    check_still_running(date(2030, 1, 1), date(2030, 1, 1))
    with pytest.raises(RuleViolation):
        check_still_running(date(2029, 12, 31), date(2030, 1, 1))
