"""The admin forms: what the administrator typed, kept as typed so a refused form comes back
filled in, the portal's own checks, and the API body each form becomes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, ClassVar

from portal.domain.admin import kroner_text, parse_kroner, parse_person_id
from portal.halls.schemas import CATEGORIES, SITE_KINDS, SPACE_KINDS
from portal.pages import N_
from samspill.districts import District

DISTRICTS: dict[str, str] = {d.value: d.label for d in sorted(District, key=lambda d: d.label)}

NAME_NEEDED = N_("Enter the name (at least two characters).")
KIND_NEEDED = N_("Choose what kind it is.")
ADDRESS_NEEDED = N_("Enter the street address.")
DISTRICT_NEEDED = N_("Choose the district.")
CONTACT_NEEDED = N_("Enter who answers for the site, for example the school office.")
EMAIL_INVALID = N_("Enter a valid email address, like post@skole.no.")
PHONE_INVALID = N_("Enter a valid phone number, like 64 00 00 00.")
SPACE_NAME_NEEDED = N_("Enter the name of the space.")
CAPACITY_INVALID = N_("Enter how many people the space holds, a whole number from 1 upwards.")
AREA_INVALID = N_(
    "Enter the floor area in square metres as a number above zero, or leave it empty."
)
PARENT_UNKNOWN = N_("Choose a space of this site, or none.")
SCOPE_NEEDED = N_("Choose what the price applies to.")
CATEGORY_NEEDED = N_("Choose who the price is for.")
RATE_NEEDED = N_("Enter the price per hour in kroner, for example 250 or 250,50 (0 for free).")
RATE_INVALID = N_("Enter the price in kroner, for example 250 or 250,50, or leave it empty.")
EVENING_INVALID = N_("Enter the time evenings start as hours and minutes, for example 17:00.")
PERSON_INVALID = N_(
    "Enter the person's id as shown on their My page: 36 characters of letters, digits and dashes."
)

# What the portal says when the API refuses a field's value (its own texts are technical).
INVALID: dict[str, str] = {
    "name": NAME_NEEDED,
    "kind": KIND_NEEDED,
    "address": ADDRESS_NEEDED,
    "district": DISTRICT_NEEDED,
    "contact_name": CONTACT_NEEDED,
    "contact_email": EMAIL_INVALID,
    "contact_phone": PHONE_INVALID,
    "capacity": CAPACITY_INVALID,
    "area_m2": AREA_INVALID,
    "parent_id": PARENT_UNKNOWN,
    "activities": N_("Each activity can have at most 80 characters."),
    "hourly": RATE_NEEDED,
    "evening": RATE_INVALID,
    "weekend": RATE_INVALID,
    "evening_from": EVENING_INVALID,
}


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _texts(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: _text(form, name) for name in names}


@dataclass
class SiteForm:
    name: str = ""
    kind: str = ""
    address: str = ""
    district: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    API_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "name": ("name",),
        "kind": ("kind",),
        "address": ("address",),
        "district": ("district",),
        "contact_name": ("contact", "name"),
        "contact_email": ("contact", "email"),
        "contact_phone": ("contact", "phone"),
    }

    @classmethod
    def of(cls, site: Mapping[str, Any]) -> SiteForm:
        contact = site.get("contact") or {}
        return cls(
            name=str(site.get("name", "")),
            kind=str(site.get("kind", "")),
            address=str(site.get("address", "")),
            district=str(site.get("district", "")),
            contact_name=str(contact.get("name") or ""),
            contact_email=str(contact.get("email") or ""),
            contact_phone=str(contact.get("phone") or ""),
        )

    @classmethod
    def read(cls, form: Mapping[str, Any], *, new: bool) -> SiteForm:
        read = cls(**_texts(form, cls.API_FIELDS))
        if len(read.name) < 2:
            read.errors["name"] = NAME_NEEDED
        if new and read.kind not in SITE_KINDS:
            read.errors["kind"] = KIND_NEEDED
        if len(read.address) < 2:
            read.errors["address"] = ADDRESS_NEEDED
        if read.district not in DISTRICTS:
            read.errors["district"] = DISTRICT_NEEDED
        if not read.contact_name:
            read.errors["contact_name"] = CONTACT_NEEDED
        return read

    def body(self, *, new: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "address": self.address,
            "district": self.district,
            "contact": {
                "name": self.contact_name,
                "email": self.contact_email or None,
                "phone": self.contact_phone or None,
            },
        }
        if new:
            body["kind"] = self.kind
        return body


@dataclass
class SpaceForm:
    name: str = ""
    kind: str = ""
    capacity: str = ""
    area_m2: str = ""
    activities: str = ""
    parent_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    API_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "name": ("name",),
        "kind": ("kind",),
        "capacity": ("capacity",),
        "area_m2": ("area_m2",),
        "activities": ("activities",),
        "parent_id": ("parent_id",),
    }

    @classmethod
    def of(cls, space: Mapping[str, Any]) -> SpaceForm:
        area = space.get("area_m2")
        return cls(
            name=str(space.get("name", "")),
            kind=str(space.get("kind", "")),
            capacity=str(space.get("capacity", "")),
            area_m2="" if area is None else f"{area:g}",
            activities=", ".join(space.get("activities") or []),
            parent_id=str(space.get("parent_id") or ""),
        )

    @classmethod
    def read(cls, form: Mapping[str, Any], parents: Mapping[str, str]) -> SpaceForm:
        """`parents`: the spaces of the site this one may be a part of, by id."""
        read = cls(**_texts(form, cls.API_FIELDS))
        if not read.name:
            read.errors["name"] = SPACE_NAME_NEEDED
        if read.kind not in SPACE_KINDS:
            read.errors["kind"] = KIND_NEEDED
        if read.capacity_value is None:
            read.errors["capacity"] = CAPACITY_INVALID
        if read.area_m2 and read.area_value is None:
            read.errors["area_m2"] = AREA_INVALID
        if read.parent_id and read.parent_id not in parents:
            read.errors["parent_id"] = PARENT_UNKNOWN
        return read

    @property
    def capacity_value(self) -> int | None:
        text = self.capacity.replace(" ", "")
        return int(text) if text.isdigit() and 0 < int(text) <= 100_000 else None

    @property
    def area_value(self) -> float | None:
        try:
            area = float(self.area_m2.replace(",", ".").replace(" ", ""))
        except ValueError:
            return None
        return area if 0 < area <= 1_000_000 else None

    def body(self) -> dict[str, Any]:
        activities = [a.strip() for a in self.activities.split(",") if a.strip()]
        return {
            "name": self.name,
            "kind": self.kind,
            "capacity": self.capacity_value,
            "area_m2": self.area_value if self.area_m2 else None,
            "activities": activities,
            "parent_id": self.parent_id or None,
        }


@dataclass
class PriceRuleForm:
    """`scope` is «default», «kind:<space kind>» or «space:<space id>»."""

    scope: str = ""
    category: str = ""
    hourly: str = ""
    evening: str = ""
    weekend: str = ""
    evening_from: str = "17:00"
    errors: dict[str, str] = field(default_factory=dict)

    API_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "scope": ("space_id",),
        "category": ("category",),
        "hourly": ("hourly_rate_ore",),
        "evening": ("evening_rate_ore",),
        "weekend": ("weekend_rate_ore",),
        "evening_from": ("evening_from",),
    }
    RATES: ClassVar[tuple[str, ...]] = ("hourly", "evening", "weekend", "evening_from")

    @classmethod
    def of(cls, rule: Mapping[str, Any]) -> PriceRuleForm:
        scope = "default"
        if rule.get("space_id"):
            scope = f"space:{rule['space_id']}"
        elif rule.get("space_kind"):
            scope = f"kind:{rule['space_kind']}"
        return cls(
            scope=scope,
            category=str(rule.get("category", "")),
            hourly=kroner_text(rule.get("hourly_rate_ore")),
            evening=kroner_text(rule.get("evening_rate_ore")),
            weekend=kroner_text(rule.get("weekend_rate_ore")),
            evening_from=str(rule.get("evening_from") or "17:00")[:5],
        )

    @classmethod
    def read(
        cls, form: Mapping[str, Any], scopes: Mapping[str, str] | None = None
    ) -> PriceRuleForm:
        """`scopes`: the choices of what a new rule applies to; None when only the rates of
        an existing rule change."""
        names = cls.RATES if scopes is None else ("scope", "category", *cls.RATES)
        read = cls(**_texts(form, names))
        if scopes is not None:
            if read.scope not in scopes:
                read.errors["scope"] = SCOPE_NEEDED
            if read.category not in CATEGORIES:
                read.errors["category"] = CATEGORY_NEEDED
        if parse_kroner(read.hourly) is None:
            read.errors["hourly"] = RATE_NEEDED
        for name in ("evening", "weekend"):
            if getattr(read, name) and parse_kroner(getattr(read, name)) is None:
                read.errors[name] = RATE_INVALID
        if read.evening_from_value is None:
            read.errors["evening_from"] = EVENING_INVALID
        return read

    @property
    def evening_from_value(self) -> time | None:
        text = self.evening_from.replace(".", ":")
        try:
            return time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
        except ValueError:
            return None

    def rates(self) -> dict[str, Any]:
        evening_from = self.evening_from_value
        return {
            "hourly_rate_ore": parse_kroner(self.hourly),
            "evening_rate_ore": parse_kroner(self.evening) if self.evening else None,
            "weekend_rate_ore": parse_kroner(self.weekend) if self.weekend else None,
            "evening_from": None if evening_from is None else evening_from.isoformat("minutes"),
        }

    def body(self) -> dict[str, Any]:
        kind, _, value = self.scope.partition(":")
        return {
            "space_id": value if kind == "space" else None,
            "space_kind": value if kind == "kind" else None,
            "category": self.category,
            **self.rates(),
        }


@dataclass
class GrantForm:
    person_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> GrantForm:
        read = cls(person_id=_text(form, "person_id"))
        if parse_person_id(read.person_id) is None:
            read.errors["person_id"] = PERSON_INVALID
        return read

    @property
    def value(self) -> str:
        return parse_person_id(self.person_id) or ""
