"""Pure rules of the club pages: the shape of an invitation code, and which form field an
API's validation error or rule is about (a club's calendar link is `domain.feed_links`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from samspill.sms import SmsNotAvailable

# Booking's invitation codes are URL-safe base64; its API takes 16 to 100 characters.
_INVITATION_CODE = re.compile(r"^[A-Za-z0-9_-]{16,100}$")


def invitation_code_shaped(code: str) -> bool:
    """Whether `code` can be an invitation code at all (anything else is simply unknown)."""
    return _INVITATION_CODE.fullmatch(code) is not None


def fields_in_error(
    errors: Iterable[Mapping[str, Any]], fields: Mapping[str, Sequence[str]]
) -> list[str]:
    """The form fields (in the form's order) whose API location an error's `loc` names.

    `fields` maps a form field to its location in the API's body (`("contact", "email")`);
    the `body` part FastAPI puts first is ignored, and an error deeper inside a field's value
    still belongs to that field.
    """
    locations = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        locations.append(loc[1:] if loc[:1] == ["body"] else loc)
    return [
        name
        for name, path in fields.items()
        if any(loc[: len(path)] == list(path) for loc in locations)
    ]


def registration_refusal_field(code: str) -> str:
    """The registration form's field a rule booking refuses is about: SMS where none can be
    sent is the contact's (an email address is what it needs), any other rule the number's (the
    mod-11 check, already registered)."""
    return "contact_email" if code == SmsNotAvailable.code else "org_number"


def same_email(first: str, second: str) -> bool:
    """Two addresses the same to booking, which ignores letter case around the edges."""
    return first.strip().casefold() == second.strip().casefold()
