"""Read-model reads other features share: a caller's grants and a person's profile."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.readmodel.tables import ProfileRecord, access_grant
from samspill.access_grants import GrantKind, read_grants
from samspill.auth import Grants


async def load_grants(session: AsyncSession, person_id: str) -> Grants:
    """The service's grant loader: what booking and facilities granted the person, as applied
    from their events."""
    return await read_grants(session, access_grant, person_id)


async def is_member(session: AsyncSession, person_id: str, organisation_id: str) -> bool:
    """Whether the person holds a membership (any role) of the organisation."""
    found = await session.execute(
        select(access_grant.c.person_id).where(
            access_grant.c.person_id == person_id,
            access_grant.c.kind == GrantKind.ORGANISATION,
            access_grant.c.object_id == organisation_id,
        )
    )
    return found.first() is not None


async def profile_of(session: AsyncSession, person_id: str) -> ProfileRecord | None:
    return await session.get(ProfileRecord, person_id)
