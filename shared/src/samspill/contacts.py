"""Contacts as requests give them: bounded, the email and phone checked as such.

`ContactIn` is any contact (an organisation's); `PrivateContact` is a private person's, who
must be reachable: every request that carries one (a resident's hall booking, an equipment
loan) validates it alike. The events carry both as `samspill.events.booking.Contact`.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from samspill.events.booking import Contact
from samspill.inputs import MAX_NAME_CHARS, Email, Phone


class ContactIn(Contact):
    """Where messages go. The phone number is kept in E.164 (+4791234567)."""

    name: str | None = Field(default=None, max_length=MAX_NAME_CHARS)
    email: Email | None = None
    phone: Phone | None = None


class PrivateContact(ContactIn):
    """A private person's contact: an email address, a phone number, or both (at least one);
    the channel defaults to email, or to SMS when only a phone number is given.

    Private: shown only to the person, the staff who serve them and in the `contact` member
    of events, never in a public feed or endpoint.
    """

    @model_validator(mode="before")
    @classmethod
    def _sms_for_a_phone_only(cls, data: Any) -> Any:
        """Without a channel named, a phone number alone means SMS."""
        phone_only = isinstance(data, dict) and data.get("phone") and not data.get("email")
        if phone_only and "channel" not in data:
            return {**data, "channel": "sms"}
        return data

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if not self.email and not self.phone:
            raise ValueError("an email address or a phone number (or both) is needed")
        if self.channel == "email" and not self.email:
            raise ValueError("an email address is needed for the channel 'email'")
        if self.channel == "sms" and not self.phone:
            raise ValueError("a phone number is needed for the channel 'sms'")
        return self
