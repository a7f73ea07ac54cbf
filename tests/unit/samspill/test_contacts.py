"""The contact a private person gives with a request: at least one way to reach them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from samspill.contacts import PrivateContact
from samspill.events.booking import Contact


@pytest.mark.parametrize(
    "given",
    [
        {"email": "familien@example.no"},
        {"phone": "+47 400 00 000", "channel": "sms"},
        {"phone": "40000000", "email": "familien@example.no", "channel": "sms", "language": "en"},
        {"name": "Familien Berg", "email": "familien@example.no"},
    ],
)
def test_a_reachable_contact_is_accepted(given: dict[str, Any]) -> None:
    contact = PrivateContact.model_validate(given)
    event = Contact.model_validate(contact.model_dump(mode="json"))
    assert event.model_dump() == contact.model_dump()


def test_a_phone_number_alone_means_sms() -> None:
    assert PrivateContact.model_validate({"phone": "+47 400 00 000"}).channel == "sms"
    assert (
        PrivateContact.model_validate({"email": "a@b.no", "phone": "40000000"}).channel == "email"
    )


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ({}, "an email address or a phone number"),
        ({"name": "Familien Berg"}, "an email address or a phone number"),
        (
            {"phone": "+47 400 00 000", "channel": "email"},
            "an email address is needed for the channel 'email'",
        ),
        ({"email": "familien@example.no", "channel": "sms"}, "a phone number is needed"),
        ({"email": "not-an-email"}, "not a valid email address"),
        ({"phone": "call me maybe", "channel": "sms"}, "not a valid phone number"),
        ({"email": "a@b.no", "fax": "123"}, "Extra inputs are not permitted"),
        ({"email": f"{'a' * 250}@example.no"}, "email address is too long"),
    ],
)
def test_an_unreachable_or_malformed_contact_is_refused(given: dict[str, Any], why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        PrivateContact.model_validate(given)
