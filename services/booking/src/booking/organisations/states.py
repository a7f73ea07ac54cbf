"""An organisation row as the event contract's state (what `organisation.registered` carries)."""

from __future__ import annotations

from booking.organisations.tables import Organisation
from samspill.events import booking as be


def state_of(organisation: Organisation) -> be.OrganisationState:
    return be.OrganisationState(
        organisation_id=organisation.id,
        org_number=organisation.org_number,
        name=organisation.name,
        category=organisation.category,
        district=organisation.district,
        contact=be.Contact.model_validate(organisation.contact),
    )
