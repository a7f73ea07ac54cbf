"""Emergency preparedness: the organisations' registered resources summed by district, and the
sites' preparedness facts as facilities publishes them.

Pure: the overview is built from plain values the queries read.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OrganisationResources:
    """What one organisation registered it can contribute in an emergency."""

    organisation_id: uuid.UUID
    name: str
    district: str | None
    volunteers: Mapping[str, int]
    equipment: Sequence[str]
    vehicles: Sequence[str]
    agreements: Sequence[str]
    contact_24_7: Mapping[str, str] | None


@dataclass(frozen=True)
class SiteFacts:
    """A site and its preparedness facts (None: facilities has none registered for it)."""

    site_id: uuid.UUID
    name: str
    district: str | None
    evacuation_capacity: int | None = None
    beds: int | None = None
    kitchen: bool | None = None
    backup_power: bool | None = None
    water: bool | None = None
    notes: str | None = None

    @property
    def registered(self) -> bool:
        return any(
            value is not None
            for value in (
                self.evacuation_capacity,
                self.beds,
                self.kitchen,
                self.backup_power,
                self.water,
                self.notes,
            )
        )


@dataclass(frozen=True)
class DistrictOverview:
    """One district: its organisations' resources and totals, its sites and their capacity."""

    district: str | None
    organisations: list[OrganisationResources] = field(default_factory=list)
    sites: list[SiteFacts] = field(default_factory=list)

    @property
    def volunteers_by_skill(self) -> dict[str, int]:
        return summed_volunteers(org.volunteers for org in self.organisations)

    @property
    def volunteer_total(self) -> int:
        return sum(self.volunteers_by_skill.values())

    @property
    def vehicle_count(self) -> int:
        return sum(len(org.vehicles) for org in self.organisations)

    @property
    def evacuation_capacity(self) -> int:
        return sum(site.evacuation_capacity or 0 for site in self.sites)

    @property
    def beds(self) -> int:
        return sum(site.beds or 0 for site in self.sites)


def skill_key(skill: str) -> str:
    """Skills are compared without letter case or surrounding and repeated spaces, so "First
    aid" and "first  aid" count together."""
    return " ".join(skill.split()).casefold()


def normalised_volunteers(volunteers: Mapping[str, int]) -> dict[str, int]:
    """One count per skill (spelt as first given), zero counts dropped."""
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for skill, count in volunteers.items():
        key = skill_key(skill)
        if not key or count <= 0:
            continue
        name = spelling.setdefault(key, " ".join(skill.split()))
        counts[name] = counts.get(name, 0) + count
    return counts


def summed_volunteers(registrations: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The volunteers of several organisations summed by skill, most first, then by name."""
    totals: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for volunteers in registrations:
        for skill, count in normalised_volunteers(volunteers).items():
            key = skill_key(skill)
            spelling.setdefault(key, skill)
            totals[key] += count
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return {spelling[key]: count for key, count in ordered}


def site_facts(state: Mapping[str, Any]) -> SiteFacts:
    """A site's facts from its published state; a state without `preparedness` (or with a fact
    of the wrong type) has those facts unknown rather than failing the overview."""
    facts = state.get("preparedness")
    facts = facts if isinstance(facts, Mapping) else {}
    return SiteFacts(
        site_id=uuid.UUID(str(state["site_id"])),
        name=str(state.get("name", "")),
        district=state.get("district") or None,
        evacuation_capacity=_count(facts.get("evacuation_capacity")),
        beds=_count(facts.get("beds")),
        kitchen=_flag(facts.get("kitchen")),
        backup_power=_flag(facts.get("backup_power")),
        water=_flag(facts.get("water")),
        notes=facts.get("notes") if isinstance(facts.get("notes"), str) else None,
    )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def overview(
    organisations: Iterable[OrganisationResources],
    sites: Iterable[SiteFacts],
    district: str | None = None,
) -> list[DistrictOverview]:
    """The resources and sites grouped by district (`district`: only that one), districts by
    name with organisations without a district last; organisations and sites by name."""
    groups: dict[str | None, DistrictOverview] = {}
    for org in organisations:
        if district is None or org.district == district:
            groups.setdefault(org.district, DistrictOverview(org.district)).organisations.append(
                org
            )
    for site in sites:
        if district is None or site.district == district:
            groups.setdefault(site.district, DistrictOverview(site.district)).sites.append(site)
    if district is not None and not groups:
        groups[district] = DistrictOverview(district)
    for group in groups.values():
        group.organisations.sort(key=lambda org: (org.name.casefold(), str(org.organisation_id)))
        group.sites.sort(key=lambda site: (site.name.casefold(), str(site.site_id)))
    return sorted(groups.values(), key=lambda g: (g.district is None, g.district or ""))
