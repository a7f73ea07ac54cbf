"""The club pages' pure rules: the private calendar link and its webcal twin, the shape of an
invitation code, and which form field an API validation error is about."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.clubs.schemas import InvitationForm, OrganisationForm, ProfileForm
from portal.domain.clubs import (
    fields_in_error,
    invitation_code_shaped,
    registration_refusal_field,
    same_email,
)
from portal.domain.feed_links import webcal_of

TOKEN = "A" * 43


@given(
    st.sampled_from(["http://", "https://"]), st.from_regex(r"[a-z0-9.:/-]{1,40}", fullmatch=True)
)
def test_webcal_replaces_only_the_scheme(scheme: str, rest: str) -> None:
    assert webcal_of(scheme + rest) == "webcal://" + rest


def test_webcal_leaves_other_text_alone() -> None:
    assert webcal_of("ftp://x") == "ftp://x"


@pytest.mark.parametrize(
    ("code", "shaped"),
    [
        ("a" * 16, True),
        ("Ab3_-" * 8, True),
        ("a" * 100, True),
        ("a" * 15, False),
        ("a" * 101, False),
        ("a" * 20 + "/..", False),
        ("a" * 20 + "%2F", False),
        ("", False),
    ],
)
def test_invitation_code_shape(code: str, shaped: bool) -> None:
    assert invitation_code_shaped(code) is shaped


def test_fields_in_error_follow_the_form_order_and_nested_locations() -> None:
    errors = [
        {"loc": ["body", "contact", "email"], "msg": "not an email"},
        {"loc": ["body", "name"], "msg": "too long"},
        {"loc": ["body", "contact", "phone", 0], "msg": "deeper"},
        {"loc": ["query", "x"], "msg": "elsewhere"},
    ]
    found = fields_in_error(errors, OrganisationForm.API_FIELDS)
    assert found == ["name", "contact_email", "contact_phone"]


def test_fields_in_error_without_locations_name_no_field() -> None:
    assert fields_in_error([{"msg": "?"}], OrganisationForm.API_FIELDS) == []
    assert fields_in_error([], InvitationForm.API_FIELDS) == []


@given(st.emails())
def test_same_email_ignores_letter_case_and_edges(address: str) -> None:
    assert same_email(f"  {address.upper()} ", address)


def test_organisation_form_checks_what_the_portal_can_and_keeps_the_input() -> None:
    form = OrganisationForm.parse({"name": "  Skjetten IL ", "org_number": "123", "x": "y"})
    assert form.name == "Skjetten IL"
    assert set(form.problems()) == {"category", "contact_email"}
    assert form.org_number == "123"  # the number itself is booking's to check


def test_organisation_body_picks_the_channel_the_contact_can_use() -> None:
    by_phone = OrganisationForm(name="A", org_number="1", category="sports", contact_phone="912")
    assert by_phone.problems() == {}
    contact = by_phone.body("en")["contact"]
    assert contact["channel"] == "sms"
    assert contact["language"] == "en"
    assert contact["email"] is None
    by_email = OrganisationForm(contact_email="a@b.no")
    assert by_email.body("nb")["contact"]["channel"] == "email"


def test_invitation_form_refuses_an_unknown_role_and_language() -> None:
    form = InvitationForm.parse({"email": "", "role": "owner", "language": "sv"})
    assert form.language == "nb"
    assert set(form.problems()) == {"email", "role"}


def test_profile_form_keeps_what_the_profile_had() -> None:
    form = ProfileForm(display_name="Kari", email="kari@example.no")
    kept = {"phone": "+4791234567", "language": "en", "channel": "sms"}
    assert form.body("nb", kept) == {
        "display_name": "Kari",
        "email": "kari@example.no",
        "phone": "+4791234567",
        "language": "en",
        "channel": "sms",
    }
    assert form.body("nb", None)["channel"] == "email"


def test_a_refused_sms_contact_is_about_the_email_field_and_other_rules_the_number() -> None:
    assert registration_refusal_field("sms-not-available") == "contact_email"
    assert registration_refusal_field("rule-violation") == "org_number"
    assert registration_refusal_field("conflict") == "org_number"
