"""Reads of spaces, and which spaces of a site cannot be used at the same time."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.dependencies import get_row, page_of
from facilities.domain import SiteKind, SpaceKind, conflict_sets
from facilities.sites.tables import Site
from facilities.spaces.states import space_state
from facilities.spaces.tables import Space
from samspill.errors import RuleViolation
from samspill.events.facilities import SpaceState


async def get_space(session: AsyncSession, space_id: UUID, *, lock: bool = False) -> Space:
    return await get_row(session, Space, space_id, ("space", "lokale"), lock=lock)


async def referenced_space(session: AsyncSession, space_id: UUID) -> Space:
    """A space named in a request body: unknown is a 422, not a missing resource."""
    space = await session.get(Space, space_id)
    if space is None:
        raise RuleViolation(f"Unknown space {space_id}.", f"Ukjent lokale {space_id}.")
    return space


async def site_spaces(session: AsyncSession, site_id: UUID) -> list[Space]:
    query = select(Space).where(col(Space.site_id) == site_id).order_by(col(Space.name))
    return list((await session.execute(query)).scalars().all())


def conflicts_by_space(spaces: list[Space]) -> dict[UUID, frozenset[UUID]]:
    """For each space of a site: the other spaces that cannot be used at the same time."""
    parents = {str(s.id): (str(s.parent_id) if s.parent_id else None) for s in spaces}
    return {
        UUID(space): frozenset(UUID(other) for other in others if other != space)
        for space, others in conflict_sets(parents).items()
    }


async def space_details(session: AsyncSession, space_id: UUID) -> SpaceState:
    space = await get_space(session, space_id)
    conflicts = conflicts_by_space(await site_spaces(session, space.site_id))
    return space_state(space, conflicts[space.id])


async def list_spaces(
    session: AsyncSession,
    *,
    site_id: UUID | None,
    kind: SpaceKind | None,
    district: str | None,
    site_kind: SiteKind | None,
    min_capacity: int | None,
    include_retired: bool,
    limit: int,
    offset: int,
) -> tuple[list[SpaceState], int]:
    query = select(Space).join(Site, col(Site.id) == col(Space.site_id))
    if site_id is not None:
        query = query.where(col(Space.site_id) == site_id)
    if kind is not None:
        query = query.where(col(Space.kind) == kind.value)
    if district is not None:
        query = query.where(col(Site.district) == district)
    if site_kind is not None:
        query = query.where(col(Site.kind) == site_kind.value)
    if min_capacity is not None:
        query = query.where(col(Space.capacity) >= min_capacity)
    if not include_retired:
        query = query.where(col(Space.retired).is_(False))
    rows, total = await page_of(
        session, query.order_by(col(Site.name), col(Space.name), col(Space.id)), limit, offset
    )
    return await _with_conflicts(session, rows), total


async def _with_conflicts(session: AsyncSession, spaces: list[Space]) -> list[SpaceState]:
    by_site: dict[UUID, dict[UUID, frozenset[UUID]]] = {}
    for site_id in {s.site_id for s in spaces}:
        by_site[site_id] = conflicts_by_space(await site_spaces(session, site_id))
    return [space_state(s, by_site[s.site_id][s.id]) for s in spaces]
