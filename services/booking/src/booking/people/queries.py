"""Reading people: the caller's grants (booking's grant loader), profiles, and the contact a
resident's booking or loan takes from the profile when the request gives none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CompoundSelect, String, bindparam, cast, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.tables import access_grant
from booking.domain import ContactNeeded
from booking.memberships.tables import Membership
from booking.people.tables import Profile
from samspill.access_grants import grant_rows, grants_from_rows
from samspill.auth import Grants, OrganisationRole
from samspill.contacts import PrivateContact
from samspill.sms import check_channel

# The kind of the membership rows read together with the access grants' rows.
_MEMBERSHIP = "membership"


def _grant_rows() -> CompoundSelect[str, str, str | None]:
    person_id = bindparam("person_id", type_=String())
    memberships = select(
        literal(_MEMBERSHIP, String).label("kind"),
        cast(col(Membership.organisation_id), String),
        cast(col(Membership.role), String),
    ).where(col(Membership.person_id) == person_id)
    return union_all(memberships, grant_rows(access_grant, person_id))


_GRANT_ROWS = _grant_rows()  # built once: a request binds the person's id


async def grants_of(session: AsyncSession, person_id: str) -> Grants:
    """What the person may do: their memberships (owned here) and the sites and centres
    facilities granted them (the read model), in one statement. Loaded on every request, so a
    change counts as soon as it is stored or its event applied."""
    result = await session.execute(_GRANT_ROWS, {"person_id": person_id})
    rows = [(kind, object_id, role) for kind, object_id, role in result]
    staff = grants_from_rows(row for row in rows if row[0] != _MEMBERSHIP)
    return Grants(
        organisations={
            org: OrganisationRole(role) for kind, org, role in rows if kind == _MEMBERSHIP and role
        },
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
    session: AsyncSession, person_id: str, given: PrivateContact | None, *, sms_available: bool
) -> dict[str, Any]:
    """The contact the request gives, else the person's profile; 422 when there is neither,
    or when the contact given asks for SMS (or has only a phone number) and there is no SMS."""
    if given is not None:
        check_channel(given.channel, available=sms_available)
        return given.model_dump(mode="json")
    profile = await profile_of(session, person_id)
    if profile is None:
        raise ContactNeeded()
    return contact_of(profile)
