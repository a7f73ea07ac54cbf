"""Reads of requisitions (the emergency staff's and admins')."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.dependencies import get_row, page_of
from facilities.requisitions.tables import RequisitionRow
from facilities.sites.tables import Site
from samspill.auth import Principal
from samspill.errors import Forbidden


def require_emergency_staff(principal: Principal) -> None:
    """Requisitions are the emergency staff's act; municipal admins may act too."""
    if not (principal.is_admin or principal.is_emergency_staff):
        raise Forbidden(
            "Only the municipality's emergency staff may do this.",
            "Bare kommunens beredskapspersonell kan gjøre dette.",
            required_roles=["emergency_staff"],
        )


async def get_requisition(
    session: AsyncSession, requisition_id: UUID, *, lock: bool = False
) -> RequisitionRow:
    return await get_row(
        session, RequisitionRow, requisition_id, ("requisition", "rekvisisjon"), lock=lock
    )


async def list_requisitions(
    session: AsyncSession,
    principal: Principal,
    *,
    site_id: UUID | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[RequisitionRow, str]], int]:
    """Newest first: for the emergency staff and admins."""
    require_emergency_staff(principal)
    query = select(RequisitionRow)
    if site_id is not None:
        query = query.where(col(RequisitionRow.site_id) == site_id)
    if active is not None:
        lifted = col(RequisitionRow.lifted_at)
        query = query.where(lifted.is_(None) if active else lifted.is_not(None))
    order = (col(RequisitionRow.starts_at).desc(), col(RequisitionRow.id))
    rows, total = await page_of(session, query.order_by(*order), limit, offset)
    names = await _site_names(session, {r.site_id for r in rows})
    return [(r, names.get(r.site_id, "")) for r in rows], total


async def _site_names(session: AsyncSession, ids: set[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    found = await session.execute(select(col(Site.id), col(Site.name)).where(col(Site.id).in_(ids)))
    return {site_id: name for site_id, name in found.all()}
