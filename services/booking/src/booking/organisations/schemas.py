"""Request and response bodies of organisations.

`ContactPublic` is how the API shows a contact (an organisation's, a resident's booking or
loan): the same fields as the events' `Contact`, kept apart so a change to the event contract
does not change the public API.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from booking.domain import OrganisationCategory
from booking.organisations.tables import Organisation
from samspill.contacts import ContactIn
from samspill.events.booking import Channel, Language


class ContactPublic(BaseModel):
    """Where messages go. Private: never rendered in a public feed or endpoint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: Language = "nb"
    channel: Channel = "email"


def contact_public(contact: dict[str, Any]) -> ContactPublic:
    return ContactPublic.model_validate(contact)


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    category: OrganisationCategory
    district: str | None = Field(default=None, max_length=100)
    contact: ContactIn
    org_number: str = Field(
        max_length=20, description="Organisasjonsnummer: nine digits, mod-11 check digit."
    )


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    category: OrganisationCategory
    district: str | None = Field(default=None, max_length=100)
    contact: ContactPublic
    id: uuid.UUID
    org_number: str
    created_at: datetime


def organisation_public(organisation: Organisation) -> OrganisationPublic:
    return OrganisationPublic(
        id=organisation.id,
        org_number=organisation.org_number,
        name=organisation.name,
        category=OrganisationCategory(organisation.category),
        district=organisation.district,
        contact=contact_public(organisation.contact),
        created_at=organisation.created_at,
    )
