"""The desk's forms, read leniently so a mistake comes back beside its field with the input
kept: the loan search, handing out, taking back, and the catalogue's item types and units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.domain.desk import MAX_SEARCH, search_text
from portal.lending.schemas import FieldErrors
from portal.pages import N_

MAX_NOTES = 2000
MAX_UNIT_NOTES = 500
UNIT_CONDITIONS = ("ok", "damaged")
CHANGE_CONDITIONS = ("ok", "damaged", "retired")

SEARCH_TOO_SHORT = N_("Write at least 2 letters of the name, or the loan number.")
NOTES_NEEDED = N_("Describe the damage on the units marked as damaged.")
NOTES_TOO_LONG = N_("Write at most 2000 characters.")
NAME_MISSING = N_("Write the name of the item, like Cross-country skis.")
CATEGORY_MISSING = N_("Write the category, like ski.")
DAYS_INVALID = N_("Write the longest loan in days: a whole number from 1 to 365.")
AGE_INVALID = N_("Write the age as a whole number from 0 to 120, or leave it empty.")
AGES_REVERSED = N_("The lowest age must not be above the highest.")
LABEL_MISSING = N_("Write the unit's label, like the number on the sticker.")
CONDITION_INVALID = N_("Choose the unit's condition.")
UNIT_NOTES_TOO_LONG = N_("Write at most 500 characters.")


def _text(values: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = values.get(name)
    return str(value).strip()[:limit] if value is not None else ""


def _whole(text: str, low: int, high: int) -> int | None:
    if not text.isdigit():
        return None
    number = int(text)
    return number if low <= number <= high else None


@dataclass
class SearchForm:
    """`?sok=…`: the borrower's name or the loan number."""

    text: str = ""
    errors: FieldErrors = field(default_factory=FieldErrors)

    @classmethod
    def read(cls, values: Mapping[str, Any]) -> SearchForm:
        form = cls(text=_text(values, "sok", MAX_SEARCH))
        if "sok" in values and search_text(form.text) is None:
            form.errors.add("search", SEARCH_TOO_SHORT)
        return form

    @property
    def asked(self) -> str | None:
        return None if self.errors else search_text(self.text)


@dataclass
class PickupForm:
    """The unit handed out for each unit the loan holds (`enhet-<unit id>`)."""

    chosen: dict[str, str] = field(default_factory=dict)
    errors: FieldErrors = field(default_factory=FieldErrors)

    @classmethod
    def read(cls, values: Mapping[str, Any], held: list[str]) -> PickupForm:
        return cls(chosen={unit: _text(values, f"enhet-{unit}") or unit for unit in held})


@dataclass
class ReturnForm:
    """Which units came back damaged (`skadet`) and the condition and damage notes."""

    damaged: list[str] = field(default_factory=list)
    notes: str = ""
    errors: FieldErrors = field(default_factory=FieldErrors)

    @classmethod
    def read(cls, values: Any, held: list[str]) -> ReturnForm:
        marked = {str(v) for v in values.getlist("skadet")} if hasattr(values, "getlist") else set()
        raw = values.get("merknad")
        notes = str(raw).strip() if raw is not None else ""
        form = cls(damaged=[unit for unit in held if unit in marked], notes=notes[: MAX_NOTES + 1])
        if len(form.notes) > MAX_NOTES:
            form.errors.add("notes", NOTES_TOO_LONG)
        elif form.damaged and not form.notes:
            form.errors.add("notes", NOTES_NEEDED)
        return form


@dataclass
class ItemTypeForm:
    """An item type: a name in a category, one size, the longest loan and the ages."""

    name: str = ""
    category: str = ""
    variant: str = ""
    max_loan_days: str = "14"
    age_min: str = ""
    age_max: str = ""
    errors: FieldErrors = field(default_factory=FieldErrors)

    @classmethod
    def of(cls, item_type: Mapping[str, Any]) -> ItemTypeForm:
        def shown(name: str) -> str:
            value = item_type.get(name)
            return "" if value is None else str(value)

        return cls(
            name=shown("name"),
            category=shown("category"),
            variant=shown("variant"),
            max_loan_days=shown("max_loan_days") or "14",
            age_min=shown("age_min"),
            age_max=shown("age_max"),
        )

    @classmethod
    def read(cls, values: Mapping[str, Any]) -> ItemTypeForm:
        form = cls(
            name=_text(values, "navn", 160),
            category=_text(values, "kategori", 80).casefold(),
            variant=_text(values, "storrelse", 80),
            max_loan_days=_text(values, "dager", 10),
            age_min=_text(values, "alder_fra", 10),
            age_max=_text(values, "alder_til", 10),
        )
        if not form.name:
            form.errors.add("name", NAME_MISSING)
        if not form.category:
            form.errors.add("category", CATEGORY_MISSING)
        if _whole(form.max_loan_days, 1, 365) is None:
            form.errors.add("days", DAYS_INVALID)
        for name, text in (("age_min", form.age_min), ("age_max", form.age_max)):
            if text and _whole(text, 0, 120) is None:
                form.errors.add(name, AGE_INVALID)
        low, high = _whole(form.age_min, 0, 120), _whole(form.age_max, 0, 120)
        if low is not None and high is not None and low > high:
            form.errors.add("age_max", AGES_REVERSED)
        return form

    def body(self) -> dict[str, Any]:
        """The item type for facilities (an empty size or age clears it)."""
        return {
            "name": self.name,
            "category": self.category,
            "variant": self.variant or None,
            "max_loan_days": int(self.max_loan_days),
            "age_min": int(self.age_min) if self.age_min else None,
            "age_max": int(self.age_max) if self.age_max else None,
        }


@dataclass
class UnitForm:
    """A new unit (`etikett`, `tilstand`, `notat`) or a unit's change (`tilstand`, `notat`)."""

    label: str = ""
    condition: str = "ok"
    notes: str = ""
    errors: FieldErrors = field(default_factory=FieldErrors)

    @classmethod
    def read(cls, values: Mapping[str, Any], *, new: bool) -> UnitForm:
        raw = values.get("notat")
        form = cls(
            label=_text(values, "etikett", 80),
            condition=_text(values, "tilstand", 20) or "ok",
            notes=str(raw).strip()[: MAX_UNIT_NOTES + 1] if raw is not None else "",
        )
        if new and not form.label:
            form.errors.add("label", LABEL_MISSING)
        if form.condition not in (UNIT_CONDITIONS if new else CHANGE_CONDITIONS):
            form.errors.add("condition", CONDITION_INVALID)
        if len(form.notes) > MAX_UNIT_NOTES:
            form.errors.add("unit_notes", UNIT_NOTES_TOO_LONG)
        return form

    def body(self, *, new: bool) -> dict[str, Any]:
        found: dict[str, Any] = {"condition": self.condition, "notes": self.notes or None}
        if new:
            found["label"] = self.label
        return found
