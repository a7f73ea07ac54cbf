"""Bounded input types for request bodies and query parameters, shared by every service.

Whatever drives work (dates that are expanded into weeks, text that is stored and published)
is bounded when the request is read, before any work starts, so one request cannot hold the
event loop or grow an event past what the broker takes. Emails and phone numbers are checked
as such (`email-validator`, `phonenumbers`) and phone numbers are stored in E.164, the form
SMS gateways expect.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, EmailStr, Field
from pydantic_extra_types.phone_numbers import PhoneNumberValidator

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_EMAIL_CHARS",
    "MAX_NAME_CHARS",
    "MAX_PHONE_CHARS",
    "AwareInstant",
    "Day",
    "Email",
    "Instant",
    "Phone",
    "check_instant",
]

# Far outside every horizon (at most two years) and every season, far inside what date
# arithmetic and PostgreSQL can hold: a date outside is a mistake or an attack.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
_DATE_RANGE = f"between {EARLIEST_DATE} and {LATEST_DATE}"

MAX_EMAIL_CHARS = 254  # RFC 5321's longest forward path
MAX_PHONE_CHARS = 32
MAX_NAME_CHARS = 200

Day = Annotated[
    date,
    Field(ge=EARLIEST_DATE, le=LATEST_DATE, description=f"A date {_DATE_RANGE}."),
]


def check_instant(value: datetime) -> datetime:
    """`value` unchanged when its date lies in the sane range; naive and aware alike."""
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValueError(f"the date must be {_DATE_RANGE}")
    return value


Instant = Annotated[datetime, AfterValidator(check_instant)]
AwareInstant = Annotated[AwareDatetime, AfterValidator(check_instant)]

Email = Annotated[EmailStr, Field(max_length=MAX_EMAIL_CHARS)]


def _short_phone(value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_PHONE_CHARS:
        raise ValueError(f"a phone number has at most {MAX_PHONE_CHARS} characters")
    return value


# The length check wraps the phone validator, so it runs first: nothing long is parsed.
Phone = Annotated[
    str,
    PhoneNumberValidator(default_region="NO", number_format="E164"),
    BeforeValidator(_short_phone),
    Field(
        max_length=MAX_PHONE_CHARS,
        description=(
            "A phone number: Norwegian without a country code (912 34 567) or with "
            "+country code; answered in E.164 (+4791234567)."
        ),
    ),
]
