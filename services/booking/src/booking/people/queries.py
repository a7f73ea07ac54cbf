"""Reading people: the caller's grants (booking's grant loader), profiles, and the contact a
resident's booking or loan takes from the profile when the request gives none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.tables import access_grant
from booking.domain import ContactNeeded
from booking.memberships.tables import Membership
from booking.people.tables import Profile
from samspill.access_grants import read_grants
from samspill.auth import Grants, OrganisationRole
from samspill.contacts import PrivateContact


async def grants_of(session: AsyncSession, person_id: str) -> Grants:
    """What the person may do: their memberships (owned here) and the sites and centres
    facilities granted them (the read model). Loaded on every request, so a change counts as
    soon as it is stored or its event applied."""
    rows = await session.execute(
        select(col(Membership.organisation_id), col(Membership.role)).where(
            col(Membership.person_id) == person_id
        )
    )
    staff = await read_grants(session, access_grant, person_id)
    return Grants(
        organisations={str(org): OrganisationRole(role) for org, role in rows.all()},
        site_ids=staff.site_ids,
        centre_ids=staff.centre_ids,
        emergency=staff.emergency,
    )


async def profile_of(session: AsyncSession, person_id: str) -> Profile | None:
    return await session.get(Profile, person_id)


def contact_of(profile: Profile) -> dict[str, Any]:
    """The profile as a private contact (the shape bookings, loans and their events keep)."""
    contact = PrivateContact.model_validate(
        {
            "name": profile.display_name,
            "email": profile.email,
            "phone": profile.phone,
            "language": profile.language,
            "channel": profile.channel,
        }
    )
    return contact.model_dump(mode="json")


async def resident_contact(
    session: AsyncSession, person_id: str, given: PrivateContact | None
) -> dict[str, Any]:
    """The contact the request gives, else the person's profile; 422 when there is neither."""
    if given is not None:
        return given.model_dump(mode="json")
    profile = await profile_of(session, person_id)
    if profile is None:
        raise ContactNeeded()
    return contact_of(profile)
