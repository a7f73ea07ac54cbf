"""Reads of staff grants: the grant loader of every request, and the lists admins and a site's
managers see."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.dependencies import (
    page_of,
    require_admin,
    require_centre_staff,
    require_site_manager,
)
from facilities.domain import StaffGrantKind
from facilities.equipment.queries import get_centre
from facilities.sites.queries import get_site
from facilities.sites.tables import Site
from facilities.staff.tables import StaffGrant
from samspill.auth import Grants, Principal


async def staff_grants_of(session: AsyncSession, person_id: str) -> Grants:
    """The service's grant loader: what the person may do here, from its own table, read on
    every request so that a revoked grant stops working at once."""
    rows = await grants_of_person(session, person_id)
    return Grants(
        site_ids=frozenset(str(r.object_id) for r in rows if r.kind == StaffGrantKind.SITE),
        centre_ids=frozenset(str(r.object_id) for r in rows if r.kind == StaffGrantKind.CENTRE),
        emergency=any(r.kind == StaffGrantKind.EMERGENCY for r in rows),
    )


async def grants_of_person(session: AsyncSession, person_id: str) -> list[StaffGrant]:
    query = (
        select(StaffGrant)
        .where(col(StaffGrant.person_id) == person_id)
        .order_by(col(StaffGrant.kind), col(StaffGrant.object_id))
    )
    return list((await session.execute(query)).scalars())


async def find_grant(
    session: AsyncSession, person_id: str, kind: StaffGrantKind, object_id: UUID | None
) -> StaffGrant | None:
    """The person's grant of this kind on the object (None: the emergency grant, on no site)."""
    on_object = (
        col(StaffGrant.object_id).is_(None)
        if object_id is None
        else col(StaffGrant.object_id) == object_id
    )
    query = select(StaffGrant).where(
        col(StaffGrant.person_id) == person_id, col(StaffGrant.kind) == kind.value, on_object
    )
    return (await session.execute(query)).scalar_one_or_none()


async def grant_target(
    session: AsyncSession, kind: StaffGrantKind, object_id: UUID | None
) -> Site | None:
    """The site to manage, or the equipment centre to staff: 404 when there is none. The
    emergency grant has no site: it covers the whole municipality."""
    if kind is StaffGrantKind.EMERGENCY or object_id is None:
        return None
    if kind is StaffGrantKind.CENTRE:
        return await get_centre(session, object_id)
    return await get_site(session, object_id)


async def grants_on(
    session: AsyncSession,
    principal: Principal,
    kind: StaffGrantKind,
    object_id: UUID,
    *,
    limit: int,
    offset: int,
) -> tuple[list[StaffGrant], int]:
    """A site's managers or a centre's staff: for admins and for the site's managers (the
    centre's staff)."""
    if kind is StaffGrantKind.CENTRE:
        require_centre_staff(principal, object_id)
    else:
        require_site_manager(principal, object_id)
    await grant_target(session, kind, object_id)
    return await _page(session, kind=kind, object_id=object_id, limit=limit, offset=offset)


async def list_grants(
    session: AsyncSession,
    principal: Principal,
    *,
    person_id: str | None,
    kind: StaffGrantKind | None,
    limit: int,
    offset: int,
) -> tuple[list[StaffGrant], int]:
    """Every grant, or one person's: admins only."""
    require_admin(principal)
    return await _page(session, person_id=person_id, kind=kind, limit=limit, offset=offset)


async def _page(
    session: AsyncSession,
    *,
    person_id: str | None = None,
    kind: StaffGrantKind | None = None,
    object_id: UUID | None = None,
    limit: int,
    offset: int,
) -> tuple[list[StaffGrant], int]:
    query = select(StaffGrant)
    if person_id is not None:
        query = query.where(col(StaffGrant.person_id) == person_id)
    if kind is not None:
        query = query.where(col(StaffGrant.kind) == kind.value)
    if object_id is not None:
        query = query.where(col(StaffGrant.object_id) == object_id)
    order = (col(StaffGrant.granted_at), col(StaffGrant.id))
    return await page_of(session, query.order_by(*order), limit, offset)
