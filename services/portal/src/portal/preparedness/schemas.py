"""The forms of the preparedness pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.domain.preparedness import lines, oslo_instant, parse_volunteers, volunteers_text
from portal.pages import N_

BAD_VOLUNTEERS = N_("Write one skill per line as skill: number, for example First aid: 4.")
CONTACT_BOTH = N_("Give both the name and the phone number of the 24/7 contact.")
NO_SITE = N_("Choose a site.")
NO_REASON = N_("Give the reason for the requisition.")
NO_TIMES = N_("Give the start and the end.")


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
