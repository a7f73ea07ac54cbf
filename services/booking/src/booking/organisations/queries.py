"""Reading organisations: members see their own, an admin all."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.organisations.tables import Organisation
from samspill.auth import Principal
from samspill.errors import NotFound
from samspill.ids import valid_uuids


async def get(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID
) -> Organisation:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not principal.member_of(organisation.id):
        raise NotFound(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    return organisation


async def list_for(session: AsyncSession, principal: Principal) -> list[Organisation]:
    """All organisations for an admin, otherwise the caller's own."""
    query = select(Organisation).order_by(col(Organisation.name))
    if not principal.is_admin:
        ids = valid_uuids(principal.organisation_ids)
        query = query.where(col(Organisation.id).in_(ids))
    return list((await session.execute(query)).scalars().all())
