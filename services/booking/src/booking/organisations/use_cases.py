"""Registering an organisation, with a checked organisation number.

The registrant becomes its first administrator (`memberships`); the contact is private and
only ever shown to members, the municipality and in the `contact` member of events; its channel
is `sms` only where SMS can be sent (`samspill.sms`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from booking.domain import validate_org_number
from booking.memberships.use_cases import admit_founder
from booking.organisations.schemas import OrganisationCreate
from booking.organisations.states import state_of
from booking.organisations.tables import Organisation
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict
from samspill.events import booking as be
from samspill.sms import check_channel


async def register(
    uow: UnitOfWork,
    principal: Principal,
    body: OrganisationCreate,
    now: datetime,
    *,
    sms_available: bool,
) -> Organisation:
    number = validate_org_number(body.org_number)
    check_channel(body.contact.channel, available=sms_available)
    session = uow.session
    existing = await session.execute(
        select(col(Organisation.id)).where(col(Organisation.org_number) == number)
    )
    if existing.first() is not None:
        raise _already_registered(number)
    organisation = Organisation(
        org_number=number,
        name=body.name,
        category=body.category.value,
        district=body.district,
        contact=body.contact.model_dump(mode="json"),
        created_by=principal.person_id,
    )
    session.add(organisation)
    try:
        await session.flush()
    except IntegrityError as exc:  # registered concurrently with the same number
        raise _already_registered(number) from exc
    await session.refresh(organisation)
    event = be.OrganisationRegistered(organisation=state_of(organisation))
    await uow.publish(event, key=str(organisation.id))
    await admit_founder(uow, principal, organisation, now)
    await uow.commit()
    return organisation


def _already_registered(number: str) -> Conflict:
    return Conflict(
        f"Organisation number {number} is already registered.",
        f"Organisasjonsnummeret {number} er allerede registrert.",
    )
