"""Which channel and language count for a person who chose in their profile and as a
preference (the later choice, as notifications applies it), whether the profile can reach them
on a channel, and My page's profile form checked before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.contact_choice import (
    CHANNELS,
    LANGUAGES,
    Choice,
    Unreachable,
    current_choice,
    unreachable_on,
)
from portal.mypage.schemas import (
    EMAIL_INVALID,
    EMAIL_NEEDED,
    NAME_MISSING,
    PHONE_INVALID,
    PHONE_NEEDED,
    SMS_NEEDS_PHONE,
    ChannelForm,
    ProfileForm,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
choices = st.builds(
    Choice,
    st.sampled_from(CHANNELS),
    st.sampled_from(LANGUAGES),
    st.integers(0, 10_000).map(lambda s: T0 + timedelta(seconds=s)),
)


def test_nothing_chosen_is_email_in_bokmal() -> None:
    assert current_choice(None, None) == ("email", "nb")


@given(st.none() | choices, st.none() | choices)
def test_the_later_choice_counts_and_a_tie_keeps_the_profile(
    profile: Choice | None, preference: Choice | None
) -> None:
    chosen = current_choice(profile, preference)
    made = [c for c in (profile, preference) if c is not None]
    if not made:
        assert chosen == ("email", "nb")
        return
    latest = max(c.at for c in made)
    expected = profile if profile is not None and profile.at == latest else preference
    assert expected is not None
    assert chosen == (expected.channel, expected.language)


@pytest.mark.parametrize(
    ("channel", "email", "phone", "problem"),
    [
        ("email", "a@b.no", None, None),
        ("email", None, "+4791234567", Unreachable.EMAIL_NEEDED),
        ("sms", None, "+4791234567", None),
        ("sms", "a@b.no", None, Unreachable.PHONE_NEEDED),
        ("sms", "a@b.no", "", Unreachable.PHONE_NEEDED),
    ],
)
def test_a_channel_needs_its_address(
    channel: str, email: str | None, phone: str | None, problem: Unreachable | None
) -> None:
    assert unreachable_on(channel, email, phone) is problem


def test_a_valid_profile_becomes_the_apis_body() -> None:
    form = ProfileForm(" Kari Nordmann ", "kari@example.no", "912 34 567", "en")
    assert form.checked("email") == {
        "display_name": "Kari Nordmann",
        "email": "kari@example.no",
        "phone": "+4791234567",
        "language": "en",
        "channel": "email",
    }
    assert form.errors == {}


def test_bad_email_and_phone_are_refused_with_the_input_kept() -> None:
    form = ProfileForm("", "kari@", "12", "nb")
    assert form.checked("email") is None
    assert form.errors == {
        "display_name": NAME_MISSING,
        "email": EMAIL_INVALID,
        "phone": PHONE_INVALID,
    }
    assert (form.email, form.phone) == ("kari@", "12")


@pytest.mark.parametrize(
    ("channel", "email", "phone", "field", "message"),
    [
        ("email", "", "91234567", "email", EMAIL_NEEDED),
        ("sms", "k@example.no", "", "phone", PHONE_NEEDED),
    ],
)
def test_the_profile_must_reach_the_person_on_their_channel(
    channel: str, email: str, phone: str, field: str, message: str
) -> None:
    form = ProfileForm("Kari", email, phone, "nb")
    assert form.checked(channel) is None
    assert form.errors == {field: message}


def test_sms_needs_a_phone_number_in_the_profile() -> None:
    form = ChannelForm(channel="sms")
    assert form.checked({"email": "k@example.no", "phone": None}) is None
    assert form.error == SMS_NEEDS_PHONE
    assert ChannelForm(channel="sms").checked({"phone": "+4791234567"}) == "sms"
    assert ChannelForm(channel="email").checked(None) == "email"
    assert ChannelForm(channel="fax").checked(None) is None
