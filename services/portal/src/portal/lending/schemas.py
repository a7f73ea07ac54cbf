"""The borrowing forms: the catalogue filter (GET) and the reservation (POST), read leniently
so a mistake comes back as a message beside its field with everything kept."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.domain.lending import Period, PeriodProblem, read_period
from portal.pages import N_

MAX_TEXT = 200
MAX_QUANTITY = 20
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ]{8,16}$")
CHANNELS = ("email", "sms")

PERIOD_MESSAGES: Mapping[PeriodProblem, str] = {
    PeriodProblem.PICKUP_MISSING: N_("Choose the day you pick up."),
    PeriodProblem.RETURN_MISSING: N_("Choose the day you bring it back."),
    PeriodProblem.PICKUP_INVALID: N_("Write the pickup date as day, month and year."),
    PeriodProblem.RETURN_INVALID: N_("Write the return date as day, month and year."),
    PeriodProblem.RETURN_BEFORE_PICKUP: N_("The return date must not be before the pickup date."),
}
QUANTITY_INVALID = N_("Write how many you want to borrow: a whole number from 1 to 20.")
SIZE_MISSING = N_("Choose a size.")
CONTACT_MISSING = N_("Give an email address or a mobile number so we can remind you.")
EMAIL_INVALID = N_("Write the email address like name@example.no.")
PHONE_INVALID = N_("Write the mobile number with 8 digits, like 912 34 567.")
EMAIL_FOR_CHANNEL = N_("Give an email address to get messages by email.")
PHONE_FOR_CHANNEL = N_("Give a mobile number to get messages by SMS.")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return str(value).strip()[:MAX_TEXT] if value is not None else ""


@dataclass
class FieldErrors:
    """Messages (English msgids, or already translated API texts) by field id."""

    messages: dict[str, str] = field(default_factory=dict)
    translated: set[str] = field(default_factory=set)

    def add(self, field_id: str, message: str, *, translated: bool = False) -> None:
        self.messages.setdefault(field_id, message)
        if translated:
            self.translated.add(field_id)

    def __bool__(self) -> bool:
        return bool(self.messages)


@dataclass
class BrowseForm:
    """`/utstyr?kategori=…&storrelse=…&hentes=…&leveres=…`."""

    category: str = ""
    size: str = ""
    pickup: str = ""
    return_date: str = ""
    period: Period | None = None
    errors: FieldErrors = field(default_factory=FieldErrors)

    @classmethod
    def read(cls, values: Mapping[str, Any]) -> BrowseForm:
        form = cls(
            category=_text(values, "kategori"),
            size=_text(values, "storrelse"),
            pickup=_text(values, "hentes"),
            return_date=_text(values, "leveres"),
        )
        form.period, problems = read_period(form.pickup, form.return_date, required=False)
        for name, problem in problems.items():
            form.errors.add(name, PERIOD_MESSAGES[problem])
        return form

    def dates_query(self) -> dict[str, str]:
        """The chosen dates as query parameters, for links to an item."""
        if self.period is None:
            return {}
        return {"hentes": self.pickup, "leveres": self.return_date}

    def query(self, **changes: str) -> dict[str, str]:
        """The filter as query parameters (for links that keep it)."""
        values = {
            "kategori": self.category,
            "storrelse": self.size,
            "hentes": self.pickup,
            "leveres": self.return_date,
            **changes,
        }
        return {name: value for name, value in values.items() if value}


@dataclass
class ReserveForm:
    """The reservation: a size (item type), how many, the dates, and where reminders go when
    the person has no profile to take it from."""

    item_type_id: str = ""
    quantity: str = "1"
    pickup: str = ""
    return_date: str = ""
    email: str = ""
    phone: str = ""
    channel: str = "email"
    idempotency_key: str = ""
    period: Period | None = None
    errors: FieldErrors = field(default_factory=FieldErrors)

    @classmethod
    def read(cls, values: Mapping[str, Any], *, needs_contact: bool) -> ReserveForm:
        form = cls(
            item_type_id=_text(values, "storrelse"),
            quantity=_text(values, "antall") or "1",
            pickup=_text(values, "hentes"),
            return_date=_text(values, "leveres"),
            email=_text(values, "epost"),
            phone=_text(values, "telefon"),
            channel=_text(values, "kanal") or "email",
            idempotency_key=_text(values, "idempotens"),
        )
        if not _is_uuid(form.item_type_id):
            form.errors.add("size", SIZE_MISSING)
        if form.amount is None:
            form.errors.add("quantity", QUANTITY_INVALID)
        form.period, problems = read_period(form.pickup, form.return_date, required=True)
        for name, problem in problems.items():
            form.errors.add(name, PERIOD_MESSAGES[problem])
        if needs_contact:
            form._check_contact()
        return form

    def _check_contact(self) -> None:
        if self.channel not in CHANNELS:
            self.channel = "email"
        if not self.email and not self.phone:
            self.errors.add("email", CONTACT_MISSING)
            return
        if self.email and not EMAIL.match(self.email):
            self.errors.add("email", EMAIL_INVALID)
        if self.phone and not PHONE.match(self.phone):
            self.errors.add("phone", PHONE_INVALID)
        if self.channel == "email" and not self.email:
            self.errors.add("email", EMAIL_FOR_CHANNEL)
        if self.channel == "sms" and not self.phone:
            self.errors.add("phone", PHONE_FOR_CHANNEL)

    @property
    def amount(self) -> int | None:
        if not self.quantity.isdigit():
            return None
        amount = int(self.quantity)
        return amount if 1 <= amount <= MAX_QUANTITY else None

    def contact(self) -> dict[str, str] | None:
        """The loan's contact for the API, when the form asked for one."""
        if not self.email and not self.phone:
            return None
        contact = {"channel": self.channel}
        if self.email:
            contact["email"] = self.email
        if self.phone:
            contact["phone"] = self.phone.replace(" ", "")
        return contact
