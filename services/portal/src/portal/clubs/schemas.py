"""The club forms: what a person enters, kept as entered so a refused form comes back filled
in, with the portal's own checks (required fields) before anything goes to the APIs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from portal.pages import N_, Language

CATEGORIES: dict[str, str] = {
    "sports": N_("Sports"),
    "culture": N_("Culture"),
    "children_youth": N_("Children and young people"),
    "multicultural": N_("Multicultural"),
    "seniors": N_("Seniors"),
    "neighbourhood": N_("Neighbourhood"),
    "emergency_preparedness": N_("Emergency preparedness"),
    "other": N_("Other"),
}
ROLES: dict[str, str] = {
    "administrator": N_("Administrator"),
    "booker": N_("Booker"),
    "viewer": N_("Viewer"),
}
EMAIL_LANGUAGES: dict[str, str] = {"nb": N_("Norwegian (bokmål)"), "en": N_("English")}
ROLE_HELP: dict[str, str] = {
    "administrator": N_("manages members and invitations, books and sees the calendar"),
    "booker": N_("books in the club's name and sees its bookings"),
    "viewer": N_("sees the club's bookings and calendar"),
}

NAME_NEEDED = N_("Enter the organisation's name.")
ORG_NUMBER_NEEDED = N_("Enter the organisation number (nine digits).")
CATEGORY_NEEDED = N_("Choose what kind of organisation it is.")
CONTACT_NEEDED = N_("Enter an email address or a phone number so we can reach the club.")
EMAIL_NEEDED = N_("Enter the email address of the person you invite.")
ROLE_NEEDED = N_("Choose a role.")
DISPLAY_NAME_NEEDED = N_("Enter your name.")
YOUR_EMAIL_NEEDED = N_("Enter your email address.")

# What the portal says when the API refuses a field's value (its own texts are technical).
INVALID: dict[str, str] = {
    "name": N_("The name can have at most 200 characters."),
    "org_number": N_("Enter the organisation number as nine digits."),
    "category": CATEGORY_NEEDED,
    "district": N_("The district can have at most 100 characters."),
    "contact_name": N_("The name can have at most 200 characters."),
    "contact_email": N_("Enter a valid email address, like name@example.no."),
    "contact_phone": N_("Enter a valid phone number, like 912 34 567."),
    "email": N_("Enter a valid email address, like name@example.no."),
    "role": ROLE_NEEDED,
    "display_name": N_("The name can have at most 200 characters."),
}


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass
class OrganisationForm:
    name: str = ""
    org_number: str = ""
    category: str = ""
    district: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    # Where each field sits in booking's `POST /organisations` body.
    API_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "name": ("name",),
        "org_number": ("org_number",),
        "category": ("category",),
        "district": ("district",),
        "contact_name": ("contact", "name"),
        "contact_email": ("contact", "email"),
        "contact_phone": ("contact", "phone"),
    }

    @classmethod
    def parse(cls, form: Mapping[str, Any]) -> OrganisationForm:
        return cls(**{name: _text(form, name) for name in asdict(cls())})

    def problems(self) -> dict[str, str]:
        """Untranslated messages by field: what is missing before the API is asked."""
        found: dict[str, str] = {}
        if not self.name:
            found["name"] = NAME_NEEDED
        if not self.org_number:
            found["org_number"] = ORG_NUMBER_NEEDED
        if self.category not in CATEGORIES:
            found["category"] = CATEGORY_NEEDED
        if not self.contact_email and not self.contact_phone:
            found["contact_email"] = CONTACT_NEEDED
        return found

    def body(self, language: Language) -> dict[str, Any]:
        contact: dict[str, Any] = {
            "name": self.contact_name or None,
            "email": self.contact_email or None,
            "phone": self.contact_phone or None,
            "language": language,
            "channel": "email" if self.contact_email else "sms",
        }
        return {
            "name": self.name,
            "org_number": self.org_number,
            "category": self.category,
            "district": self.district or None,
            "contact": contact,
        }


@dataclass
class InvitationForm:
    email: str = ""
    role: str = "booker"
    language: str = "nb"

    API_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "email": ("email",),
        "role": ("role",),
        "language": ("language",),
    }

    @classmethod
    def parse(cls, form: Mapping[str, Any]) -> InvitationForm:
        language = _text(form, "language")
        return cls(
            email=_text(form, "email"),
            role=_text(form, "role"),
            language=language if language in ("nb", "en") else "nb",
        )

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.email:
            found["email"] = EMAIL_NEEDED
        if self.role not in ROLES:
            found["role"] = ROLE_NEEDED
        return found

    def body(self) -> dict[str, Any]:
        return {"email": self.email, "role": self.role, "language": self.language}


@dataclass
class ProfileForm:
    """The name and email address a person without a profile gives to accept an invitation
    (booking lets only the person the invitation was sent to accept it)."""

    display_name: str = ""
    email: str = ""

    API_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "display_name": ("display_name",),
        "email": ("email",),
    }

    @classmethod
    def parse(cls, form: Mapping[str, Any]) -> ProfileForm:
        return cls(display_name=_text(form, "display_name"), email=_text(form, "email"))

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.display_name:
            found["display_name"] = DISPLAY_NAME_NEEDED
        if not self.email:
            found["email"] = YOUR_EMAIL_NEEDED
        return found

    def body(self, language: Language, profile: Mapping[str, Any] | None) -> dict[str, Any]:
        """The whole profile to store: what the person had, with this name and address."""
        kept = dict(profile or {})
        return {
            "display_name": self.display_name,
            "email": self.email,
            "phone": kept.get("phone"),
            "language": kept.get("language") or language,
            "channel": kept.get("channel") or "email",
        }
