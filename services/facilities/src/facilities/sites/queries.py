"""Reads of sites."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.dependencies import get_row, page_of
from facilities.domain import District, SiteKind
from facilities.sites.states import site_state
from facilities.sites.tables import Site
from samspill.errors import RuleViolation
from samspill.events.facilities import SiteState


async def get_site(session: AsyncSession, site_id: UUID, *, lock: bool = False) -> Site:
    return await get_row(session, Site, site_id, ("site", "sted"), lock=lock)


async def referenced_site(session: AsyncSession, site_id: UUID) -> Site:
    """A site named in a request body: unknown is a 422, not a missing resource."""
    site = await session.get(Site, site_id)
    if site is None:
        raise RuleViolation(f"Unknown site {site_id}.", f"Ukjent sted {site_id}.")
    return site


async def site_with_name(session: AsyncSession, name: str) -> UUID | None:
    return await session.scalar(select(col(Site.id)).where(col(Site.name) == name))


async def site_details(session: AsyncSession, site_id: UUID) -> SiteState:
    return site_state(await get_site(session, site_id))


async def list_sites(
    session: AsyncSession,
    *,
    district: District | None,
    kind: SiteKind | None,
    name: str | None,
    limit: int,
    offset: int,
) -> tuple[list[SiteState], int]:
    query = select(Site)
    if district is not None:
        query = query.where(col(Site.district) == district.value)
    if kind is not None:
        query = query.where(col(Site.kind) == kind.value)
    if name is not None:
        query = query.where(col(Site.name).icontains(name, autoescape=True))
    rows, total = await page_of(
        session, query.order_by(col(Site.name), col(Site.id)), limit, offset
    )
    return [site_state(r) for r in rows], total


async def sites_closed_on_holidays(session: AsyncSession) -> list[UUID]:
    query = select(col(Site.id)).where(col(Site.closes_on_public_holidays).is_(True))
    return list((await session.execute(query)).scalars())


async def claim_site(session: AsyncSession, site_id: UUID) -> Site | None:
    """The site, locked for this transaction; None when it is gone or another holds it."""
    query = select(Site).where(col(Site.id) == site_id).with_for_update(skip_locked=True)
    return (await session.execute(query)).scalar_one_or_none()
