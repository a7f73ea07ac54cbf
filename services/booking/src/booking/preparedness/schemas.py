"""Request and response bodies of an organisation's preparedness and the overview."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from booking.domain.preparedness import (
    DistrictOverview,
    OrganisationResources,
    SiteFacts,
    normalised_volunteers,
    skill_key,
)
from samspill.inputs import MAX_NAME_CHARS, Phone

MAX_ITEMS = 50
MAX_SKILLS = 30
MAX_VOLUNTEERS = 100_000

Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS)
]


class Contact247(BaseModel):
    """Who answers day and night for the organisation in an emergency."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    phone: Phone


class PreparednessBody(BaseModel):
    """The whole registration, replacing the previous one. `contact_24_7` left out keeps the
    registered contact (the club cannot read it back); null removes it."""

    model_config = ConfigDict(extra="forbid")

    volunteers: dict[Skill, Annotated[int, Field(ge=0, le=MAX_VOLUNTEERS)]] = Field(
        default_factory=dict,
        max_length=MAX_SKILLS,
        description="How many volunteers the organisation can send, by skill.",
    )
    equipment: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    vehicles: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    contact_24_7: Contact247 | None = None
    agreements: list[Item] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="The organisation's preparedness agreements with the municipality.",
    )

    @field_validator("volunteers")
    @classmethod
    def _one_count_per_skill(cls, volunteers: dict[str, int]) -> dict[str, int]:
        keys = [skill_key(skill) for skill in volunteers]
        if len(set(keys)) != len(keys):
            raise ValueError("each skill once (letter case and spaces aside)")
        return normalised_volunteers(volunteers)

    @property
    def keeps_contact(self) -> bool:
        return "contact_24_7" not in self.model_fields_set


class PreparednessPublic(BaseModel):
    organisation_id: uuid.UUID
    organisation_name: str
    district: str | None
    volunteers: dict[str, int]
    equipment: list[str]
    vehicles: list[str]
    agreements: list[str]
    contact_24_7_registered: bool = Field(description="Whether a 24/7 contact is registered.")
    contact_24_7: Contact247 | None = Field(
        description="Only for the emergency staff and the municipal admin; null for the club."
    )
    updated_at: datetime | None = Field(description="Null: nothing registered yet.")


class SiteFactsPublic(BaseModel):
    site_id: uuid.UUID
    name: str
    district: str | None
    registered: bool = Field(description="Whether facilities has preparedness facts for it.")
    evacuation_capacity: int | None
    beds: int | None
    kitchen: bool | None
    backup_power: bool | None
    water: bool | None
    notes: str | None


class OrganisationResourcesPublic(BaseModel):
    organisation_id: uuid.UUID
    name: str
    volunteers: dict[str, int]
    equipment: list[str]
    vehicles: list[str]
    agreements: list[str]
    contact_24_7: Contact247 | None


class DistrictPublic(BaseModel):
    district: str | None = Field(description="Null: organisations that named no district.")
    volunteers_by_skill: dict[str, int]
    volunteer_total: int
    vehicle_count: int
    evacuation_capacity: int = Field(description="Summed over the district's sites.")
    beds: int
    organisations: list[OrganisationResourcesPublic]
    sites: list[SiteFactsPublic]


class OverviewPublic(BaseModel):
    district: str | None = Field(description="The district asked for; null: all of them.")
    districts: list[DistrictPublic]


def site_facts_public(site: SiteFacts) -> SiteFactsPublic:
    return SiteFactsPublic(
        site_id=site.site_id,
        name=site.name,
        district=site.district,
        registered=site.registered,
        evacuation_capacity=site.evacuation_capacity,
        beds=site.beds,
        kitchen=site.kitchen,
        backup_power=site.backup_power,
        water=site.water,
        notes=site.notes,
    )


def resources_public(org: OrganisationResources) -> OrganisationResourcesPublic:
    contact = None if org.contact_24_7 is None else Contact247.model_validate(org.contact_24_7)
    return OrganisationResourcesPublic(
        organisation_id=org.organisation_id,
        name=org.name,
        volunteers=dict(org.volunteers),
        equipment=list(org.equipment),
        vehicles=list(org.vehicles),
        agreements=list(org.agreements),
        contact_24_7=contact,
    )


def district_public(group: DistrictOverview) -> DistrictPublic:
    return DistrictPublic(
        district=group.district,
        volunteers_by_skill=group.volunteers_by_skill,
        volunteer_total=group.volunteer_total,
        vehicle_count=group.vehicle_count,
        evacuation_capacity=group.evacuation_capacity,
        beds=group.beds,
        organisations=[resources_public(org) for org in group.organisations],
        sites=[site_facts_public(site) for site in group.sites],
    )
