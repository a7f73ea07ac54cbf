"""Organisations that book: registration with a checked organisation number, and reading.

Members are the users whose token carries the organisation's id; the contact is private and
only ever shown to members, the municipality and in the `contact` member of events.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.domain import OrganisationCategory, validate_org_number
from booking.domain.errors import ConflictError, NotFoundError
from booking.models import Organisation
from samspill.auth import Principal
from samspill.contacts import ContactIn
from samspill.db import UnitOfWork
from samspill.events import booking as be


class OrganisationBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    category: OrganisationCategory
    district: str | None = Field(default=None, max_length=100)
    contact: be.Contact


class OrganisationCreate(OrganisationBase):
    org_number: str = Field(
        max_length=20, description="Organisasjonsnummer: nine digits, mod-11 check digit."
    )
    contact: ContactIn


class OrganisationPublic(OrganisationBase):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    org_number: str
    created_at: datetime


async def register(
    uow: UnitOfWork, principal: Principal, body: OrganisationCreate
) -> OrganisationPublic:
    number = validate_org_number(body.org_number)
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
        created_by=principal.sub,
    )
    session.add(organisation)
    try:
        await session.flush()
    except IntegrityError as exc:  # registered concurrently with the same number
        raise _already_registered(number) from exc
    await session.refresh(organisation)
    event = be.OrganisationRegistered(organisation=state_of(organisation))
    await uow.publish(event, key=str(organisation.id))
    await uow.commit()
    return public(organisation)


def _already_registered(number: str) -> ConflictError:
    return ConflictError(
        f"Organisation number {number} is already registered.",
        f"Organisasjonsnummeret {number} er allerede registrert.",
    )


async def get(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID
) -> OrganisationPublic:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not principal.member_of(organisation.id):
        raise NotFoundError(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    return public(organisation)


async def list_for(session: AsyncSession, principal: Principal) -> list[OrganisationPublic]:
    """All organisations for an admin, otherwise the caller's own."""
    query = select(Organisation).order_by(col(Organisation.name))
    if not principal.is_admin:
        ids = [uuid.UUID(value) for value in principal.org_ids if _is_uuid(value)]
        query = query.where(col(Organisation.id).in_(ids))
    rows = (await session.execute(query)).scalars().all()
    return [public(row) for row in rows]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def state_of(organisation: Organisation) -> be.OrganisationState:
    return be.OrganisationState(
        organisation_id=organisation.id,
        org_number=organisation.org_number,
        name=organisation.name,
        category=organisation.category,
        district=organisation.district,
        contact=be.Contact.model_validate(organisation.contact),
    )


def public(organisation: Organisation) -> OrganisationPublic:
    return OrganisationPublic(
        id=organisation.id,
        org_number=organisation.org_number,
        name=organisation.name,
        category=OrganisationCategory(organisation.category),
        district=organisation.district,
        contact=be.Contact.model_validate(organisation.contact),
        created_at=organisation.created_at,
    )
