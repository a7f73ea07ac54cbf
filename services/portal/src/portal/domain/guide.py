"""The activity guide's page logic: reading the visitor's filter and the publish form, and the
body the booking API gets. Pure: no HTTP, no templates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

AGE_GROUPS = ("children", "youth", "adults", "seniors", "mixed")
LEVELS = ("beginner", "intermediate", "advanced", "all")
MAX_DESCRIPTION, MAX_ACTIVITY, MAX_HOW_TO_JOIN = 500, 100, 300
_LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True)
class GuideSearch:
    """The visitor's filter, kept as given; values outside the choices are dropped."""

    district: str = ""
    activity: str = ""
    age_group: str = ""
    new_members: bool = False

    def params(self) -> dict[str, str]:
        """The guide API's query."""
        found = {
            "district": self.district,
            "activity": self.activity,
            "age_group": self.age_group,
            "takes_new_members": "true" if self.new_members else "",
        }
        return {name: value for name, value in found.items() if value}


def read_search(query: Mapping[str, str], districts: Iterable[str]) -> GuideSearch:
    district = query.get("bydel", "").strip()
    age_group = query.get("alder", "").strip()
    return GuideSearch(
        district=district if district in set(districts) else "",
        activity=" ".join(query.get("aktivitet", "").split())[:MAX_ACTIVITY],
        age_group=age_group if age_group in AGE_GROUPS else "",
        new_members=query.get("nye") == "1",
    )


def feed_path(district: str, activity: str) -> str:
    """The notifications service's path of a district's activity feed."""
    return f"/guide/{district}/{quote(' '.join(activity.split()).casefold())}.ics"


def languages_of(text: str) -> list[str]:
    """ "nb, en" or "nb en" → ["nb", "en"]: lowercase, without repeats."""
    codes: list[str] = []
    for part in re.split(r"[\s,;/]+", text.strip().lower()):
        if part and part not in codes:
            codes.append(part)
    return codes


@dataclass
class ActivityForm:
    """The publish form as entered; `errors` names each field's problem (a message id)."""

    description: str = ""
    activity: str = ""
    age_group: str = ""
    level: str = ""
    languages: str = ""
    takes_new_members: str = ""
    how_to_join: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "activity": self.activity,
            "age_group": self.age_group,
            "level": self.level,
            "languages": languages_of(self.languages),
            "takes_new_members": self.takes_new_members == "ja",
            "how_to_join": self.how_to_join,
        }


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_activity_form(form: Mapping[str, Any], messages: Mapping[str, str]) -> ActivityForm:
    """The form with its problems: each required field, lengths and choices (`messages` gives
    the message for a field's problem, keyed by the field's name)."""
    entered = ActivityForm(
        description=_text(form, "description")[:1000],
        activity=_text(form, "activity")[:1000],
        age_group=_text(form, "age_group")[:40],
        level=_text(form, "level")[:40],
        languages=_text(form, "languages")[:200],
        takes_new_members=_text(form, "takes_new_members")[:10],
        how_to_join=_text(form, "how_to_join")[:1000],
    )
    limits = {
        "description": MAX_DESCRIPTION,
        "activity": MAX_ACTIVITY,
        "how_to_join": MAX_HOW_TO_JOIN,
    }
    for name, limit in limits.items():
        value = getattr(entered, name)
        if not value or len(value) > limit:
            entered.errors[name] = messages[name]
    if entered.age_group not in AGE_GROUPS:
        entered.errors["age_group"] = messages["age_group"]
    if entered.level not in LEVELS:
        entered.errors["level"] = messages["level"]
    codes = languages_of(entered.languages)
    if not codes or not all(_LANGUAGE.match(code) for code in codes):
        entered.errors["languages"] = messages["languages"]
    if entered.takes_new_members not in ("ja", "nei"):
        entered.errors["takes_new_members"] = messages["takes_new_members"]
    return entered


def form_from_activity(activity: Mapping[str, Any] | None) -> ActivityForm:
    """The form filled in from what the guide shows now (empty for a private series)."""
    if not activity:
        return ActivityForm(languages="nb")
    return ActivityForm(
        description=str(activity["description"]),
        activity=str(activity["activity"]),
        age_group=str(activity["age_group"]),
        level=str(activity["level"]),
        languages=", ".join(activity["languages"]),
        takes_new_members="ja" if activity["takes_new_members"] else "nei",
        how_to_join=str(activity["how_to_join"]),
    )
