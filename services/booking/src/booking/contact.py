"""A contact as a request gives it: bounded, its email and phone checked as such."""

from __future__ import annotations

from pydantic import Field

from samspill.events.booking import Contact
from samspill.inputs import MAX_NAME_CHARS, Email, Phone


class ContactIn(Contact):
    """Where messages go. The phone number is kept in E.164 (+4791234567)."""

    name: str | None = Field(default=None, max_length=MAX_NAME_CHARS)
    email: Email | None = None
    phone: Phone | None = None
