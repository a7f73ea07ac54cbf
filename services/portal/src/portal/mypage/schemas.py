"""My page's forms as the browser sends them, checked before anything goes to the APIs, and the
names of the values the APIs answer with, in the person's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from portal.domain.contact_choice import CHANNELS, LANGUAGES, Unreachable, unreachable_on
from portal.pages import N_
from samspill.inputs import MAX_NAME_CHARS, Email, Phone

NAME_MISSING = N_("Enter your name.")
NAME_TOO_LONG = N_("The name can be at most 200 characters long.")
EMAIL_INVALID = N_("Enter an email address in the form name@example.no.")
PHONE_INVALID = N_(
    "Enter a phone number: 8 digits for a Norwegian number (912 34 567), or + and the country "
    "code for another country."
)
LANGUAGE_INVALID = N_("Choose bokmål or English.")
CHANNEL_INVALID = N_("Choose email or SMS.")
EMAIL_NEEDED = N_(
    "Enter your email address: your messages go by email. To get them by SMS instead, choose "
    "SMS under Messages."
)
PHONE_NEEDED = N_(
    "Enter your phone number: your messages go by SMS. To get them by email instead, choose "
    "email under Messages."
)
SMS_NEEDS_PHONE = N_("To get messages by SMS, first add your phone number to your profile.")
EMAIL_NEEDS_ADDRESS = N_("To get messages by email, first add your email address to your profile.")
CHECK_FIELD = N_("Check this field.")

_EMAIL: TypeAdapter[str] = TypeAdapter(Email)
_PHONE: TypeAdapter[str] = TypeAdapter(Phone)


@dataclass
class ProfileForm:
    """The profile as typed (kept as typed when it is refused) and what is wrong with it."""

    display_name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "nb"
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_profile(
        cls, profile: dict[str, Any] | None, name: str | None, language: str
    ) -> ProfileForm:
        if profile is None:
            return cls(display_name=name or "", language=language)
        return cls(
            display_name=str(profile.get("display_name") or ""),
            email=str(profile.get("email") or ""),
            phone=str(profile.get("phone") or ""),
            language=str(profile.get("language") or language),
        )

    def checked(self, channel: str) -> dict[str, Any] | None:
        """The body of `PUT /me/profile`, or None with `errors` filled in."""
        self.errors = {}
        name = self.display_name.strip()
        if not name:
            self.errors["display_name"] = NAME_MISSING
        elif len(name) > MAX_NAME_CHARS:
            self.errors["display_name"] = NAME_TOO_LONG
        email = _valid(_EMAIL, self.email.strip())
        if email is None:
            self.errors["email"] = EMAIL_INVALID
        phone = _valid(_PHONE, self.phone.strip())
        if phone is None:
            self.errors["phone"] = PHONE_INVALID
        if self.language not in LANGUAGES:
            self.errors["language"] = LANGUAGE_INVALID
        if not self.errors:
            missing = unreachable_on(channel, email or None, phone or None)
            if missing is Unreachable.EMAIL_NEEDED:
                self.errors["email"] = EMAIL_NEEDED
            elif missing is Unreachable.PHONE_NEEDED:
                self.errors["phone"] = PHONE_NEEDED
        if self.errors:
            return None
        return {
            "display_name": name,
            "email": email or None,
            "phone": phone or None,
            "language": self.language,
            "channel": channel,
        }

    def refused_fields(self, errors: list[dict[str, Any]]) -> bool:
        """Put the API's per-field refusals on the fields; whether any matched a field."""
        for error in errors:
            loc = error.get("loc") or []
            name = str(loc[-1]) if loc else ""
            if name in ("display_name", "email", "phone", "language"):
                self.errors.setdefault(name, CHECK_FIELD)
        return bool(self.errors)


def _valid(adapter: TypeAdapter[str], text: str) -> str | None:
    """The value as the API will keep it, "" when empty, or None when it is not valid."""
    if not text:
        return ""
    try:
        return adapter.validate_python(text)
    except ValidationError:
        return None


@dataclass
class ChannelForm:
    channel: str = "email"
    error: str | None = None

    def checked(self, profile: dict[str, Any] | None) -> str | None:
        """The chosen channel, or None with `error` set."""
        if self.channel not in CHANNELS:
            self.error = CHANNEL_INVALID
            return None
        if self.channel == "sms" or profile is not None:
            contact = profile or {}
            missing = unreachable_on(self.channel, contact.get("email"), contact.get("phone"))
            if missing is Unreachable.PHONE_NEEDED:
                self.error = SMS_NEEDS_PHONE
                return None
            if missing is Unreachable.EMAIL_NEEDED:
                self.error = EMAIL_NEEDS_ADDRESS
                return None
        return self.channel


# --- names of the APIs' values --------------------------------------------------------------

LABELS: dict[str, str] = {
    # channels and languages
    "email": N_("Email"),
    "sms": N_("SMS"),
    "nb": N_("Norwegian (bokmål)"),
    "en": N_("English"),
    # member roles
    "administrator": N_("Administrator"),
    "booker": N_("Booker"),
    "viewer": N_("Viewer"),
    # loans
    "reserved": N_("Reserved"),
    "picked_up": N_("Picked up"),
    "returned": N_("Returned"),
    "cancelled": N_("Cancelled"),
    "no_show": N_("Not picked up"),
    "overdue": N_("Overdue"),
    # bookings
    "requested": N_("Awaiting approval"),
    "confirmed": N_("Confirmed"),
    "rejected": N_("Rejected"),
    # messages
    "pending": N_("Waiting to be sent"),
    "sent": N_("Sent"),
    "failed": N_("Could not be sent"),
    "undeliverable": N_("No address to send to"),
    # feed kinds
    "loans": N_("My loans"),
    "organisation": N_("Club calendar"),
}


def label(value: object) -> str:
    """The English name of an API value (the template translates it), else the value."""
    text = str(value)
    return LABELS.get(text, text)
