"""The forms of the preparedness pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from portal.domain.preparedness import lines, oslo_instant, parse_volunteers, volunteers_text
from portal.pages import N_

BAD_VOLUNTEERS = N_("Write one skill per line as skill: number, for example First aid: 4.")
CONTACT_BOTH = N_("Give both the name and the phone number of the 24/7 contact.")
NO_SITE = N_("Choose a site.")
NO_REASON = N_("Give the reason for the requisition.")
NO_TIMES = N_("Give the start and the end.")
CAPACITY_INVALID = N_(
    "Enter how many people the site can shelter, a whole number from 0 to 100 000."
)
BEDS_INVALID = N_("Enter the number of beds, a whole number from 0 to 100 000.")
NOTES_INVALID = N_("Write at most 1000 characters in the notes.")
SITE_FACTS_SAVED = N_("The site's preparedness facts are saved.")

MAX_COUNT = 100_000
MAX_NOTES = 1000


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


@dataclass
class PreparednessForm:
    volunteers: str = ""
    equipment: str = ""
    vehicles: str = ""
    agreements: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    remove_contact: bool = False

    @classmethod
    def parse(cls, form: Mapping[str, Any]) -> PreparednessForm:
        return cls(
            volunteers=_text(form, "volunteers"),
            equipment=_text(form, "equipment"),
            vehicles=_text(form, "vehicles"),
            agreements=_text(form, "agreements"),
            contact_name=_text(form, "contact_name"),
            contact_phone=_text(form, "contact_phone"),
            remove_contact=form.get("remove_contact") == "on",
        )

    @classmethod
    def of(cls, registration: Mapping[str, Any]) -> PreparednessForm:
        """The registration in the form (the 24/7 contact is never shown to the club)."""
        return cls(
            volunteers=volunteers_text(registration.get("volunteers", {})),
            equipment="\n".join(registration.get("equipment", [])),
            vehicles="\n".join(registration.get("vehicles", [])),
            agreements="\n".join(registration.get("agreements", [])),
        )

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if parse_volunteers(self.volunteers)[1]:
            problems["volunteers"] = BAD_VOLUNTEERS
        if bool(self.contact_name) != bool(self.contact_phone):
            problems["contact_name" if not self.contact_name else "contact_phone"] = CONTACT_BOTH
        return problems

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "volunteers": parse_volunteers(self.volunteers)[0],
            "equipment": lines(self.equipment),
            "vehicles": lines(self.vehicles),
            "agreements": lines(self.agreements),
        }
        if self.remove_contact:
            body["contact_24_7"] = None
        elif self.contact_name:
            body["contact_24_7"] = {"name": self.contact_name, "phone": self.contact_phone}
        return body


@dataclass
class RequisitionForm:
    site_id: str = ""
    start: str = ""
    end: str = ""
    reason: str = ""

    @classmethod
    def parse(cls, form: Mapping[str, Any]) -> RequisitionForm:
        return cls(*(_text(form, name) for name in ("site_id", "start", "end", "reason")))

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if not self.site_id:
            problems["site_id"] = NO_SITE
        if oslo_instant(self.start) is None or oslo_instant(self.end) is None:
            problems["start"] = NO_TIMES
        if not self.reason:
            problems["reason"] = NO_REASON
        return problems

    def body(self) -> dict[str, Any]:
        """The form's local times as Oslo instants."""
        return {
            "site_id": self.site_id,
            "start": oslo_instant(self.start),
            "end": oslo_instant(self.end),
            "reason": self.reason,
        }


def _count(text: str) -> int | None:
    """A whole number of people or beds as typed ("1 200" too); empty is 0."""
    digits = text.replace(" ", "").replace("\u00a0", "")
    if not digits:
        return 0
    return int(digits) if digits.isdigit() else None


@dataclass
class SitePreparednessForm:
    """A site's preparedness facts (`PUT /sites/{id}/preparedness` in facilities)."""

    evacuation_capacity: str = ""
    beds: str = ""
    kitchen: bool = False
    backup_power: bool = False
    water: bool = False
    notes: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    API_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "evacuation_capacity": ("evacuation_capacity",),
        "beds": ("beds",),
        "notes": ("notes",),
    }
    INVALID: ClassVar[dict[str, str]] = {
        "evacuation_capacity": CAPACITY_INVALID,
        "beds": BEDS_INVALID,
        "notes": NOTES_INVALID,
    }

    @classmethod
    def of(cls, site: Mapping[str, Any]) -> SitePreparednessForm:
        """The facts facilities keeps (an empty form when none are recorded)."""
        facts = site.get("preparedness") or {}
        if not facts:
            return cls()
        return cls(
            evacuation_capacity=str(facts.get("evacuation_capacity", 0)),
            beds=str(facts.get("beds", 0)),
            kitchen=bool(facts.get("kitchen")),
            backup_power=bool(facts.get("backup_power")),
            water=bool(facts.get("water")),
            notes=str(facts.get("notes") or ""),
        )

    @classmethod
    def parse(cls, form: Mapping[str, Any]) -> SitePreparednessForm:
        read = cls(
            evacuation_capacity=_text(form, "evacuation_capacity"),
            beds=_text(form, "beds"),
            notes=_text(form, "notes"),
            kitchen=form.get("kitchen") == "on",
            backup_power=form.get("backup_power") == "on",
            water=form.get("water") == "on",
        )
        if _count(read.evacuation_capacity) is None:
            read.errors["evacuation_capacity"] = CAPACITY_INVALID
        if _count(read.beds) is None:
            read.errors["beds"] = BEDS_INVALID
        if len(read.notes) > MAX_NOTES:
            read.errors["notes"] = NOTES_INVALID
        return read

    def body(self) -> dict[str, Any]:
        """The API judges the upper limits; the portal sends the whole numbers as typed."""
        return {
            "evacuation_capacity": _count(self.evacuation_capacity),
            "beds": _count(self.beds),
            "kitchen": self.kitchen,
            "backup_power": self.backup_power,
            "water": self.water,
            "notes": self.notes or None,
        }
