"""Reading organisations' preparedness and the sites' facts; who may read what.

The club's members read their own registration; the emergency staff and the municipal admin
read every organisation's, and only they are shown the 24/7 contact.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.tables import SiteRecord
from booking.domain.preparedness import OrganisationResources, SiteFacts, site_facts
from booking.organisations.tables import Organisation
from booking.preparedness.tables import OrganisationPreparedness
from samspill.auth import Principal
from samspill.errors import Forbidden, NotFound


def is_emergency_reader(principal: Principal) -> bool:
    """The emergency staff and the municipal admin: every organisation's preparedness, with
    its 24/7 contact."""
    return principal.is_admin or principal.is_emergency_staff


def require_emergency_reader(principal: Principal) -> None:
    if not is_emergency_reader(principal):
        raise Forbidden(
            "Only the municipality's emergency staff may see the preparedness overview.",
            "Bare kommunens beredskapspersonell kan se beredskapsoversikten.",
        )


async def readable_organisation(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID
) -> Organisation:
    """The organisation, for its members and the emergency readers; 404 for everyone else."""
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not (
        principal.member_of(organisation.id) or is_emergency_reader(principal)
    ):
        raise NotFound(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    return organisation


async def preparedness_of(
    session: AsyncSession, organisation_id: uuid.UUID, *, lock: bool = False
) -> OrganisationPreparedness | None:
    return await session.get(OrganisationPreparedness, organisation_id, with_for_update=lock)


def resources(
    organisation: Organisation, row: OrganisationPreparedness | None
) -> OrganisationResources:
    """The organisation's registration as the domain's value (empty when none)."""
    return OrganisationResources(
        organisation_id=organisation.id,
        name=organisation.name,
        district=organisation.district,
        volunteers={} if row is None else dict(row.volunteers),
        equipment=[] if row is None else list(row.equipment),
        vehicles=[] if row is None else list(row.vehicles),
        agreements=[] if row is None else list(row.agreements),
        contact_24_7=None if row is None else row.contact_24_7,
    )


async def registered_resources(
    session: AsyncSession, district: str | None
) -> list[OrganisationResources]:
    """Every organisation that registered its preparedness (in `district`, when given)."""
    query = select(Organisation, OrganisationPreparedness).join(
        OrganisationPreparedness,
        col(OrganisationPreparedness.organisation_id) == col(Organisation.id),
    )
    if district is not None:
        query = query.where(col(Organisation.district) == district)
    rows = (await session.execute(query)).all()
    return [resources(organisation, row) for organisation, row in rows]


async def all_site_facts(session: AsyncSession) -> list[SiteFacts]:
    """The catalogue's sites with the preparedness facts their latest state carries."""
    states = (await session.execute(select(col(SiteRecord.state)))).scalars()
    return [site_facts(state) for state in states]
