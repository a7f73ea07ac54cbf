"""Reads of loan equipment: item types are public, units only to the centre's staff."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.dependencies import get_row, page_of, require_centre_staff
from facilities.domain import SiteKind, UnitCondition
from facilities.equipment.states import item_type_state, unit_state
from facilities.equipment.tables import EquipmentUnit, ItemType
from facilities.sites.tables import Site
from samspill.auth import Principal
from samspill.errors import NotFound
from samspill.events.facilities import ItemTypeState, UnitState


async def get_centre(session: AsyncSession, centre_id: UUID) -> Site:
    site = await session.get(Site, centre_id)
    if site is None or site.kind != SiteKind.EQUIPMENT_CENTRE:
        raise NotFound(
            f"No equipment centre with id {centre_id}.",
            f"Fant ingen utstyrssentral med id {centre_id}.",
        )
    return site


async def get_item_type(
    session: AsyncSession, item_type_id: UUID, *, lock: bool = False
) -> ItemType:
    return await get_row(session, ItemType, item_type_id, ("item type", "utstyrstype"), lock=lock)


async def get_unit(session: AsyncSession, unit_id: UUID, *, lock: bool = False) -> EquipmentUnit:
    return await get_row(session, EquipmentUnit, unit_id, ("unit", "enhet"), lock=lock)


async def active_item_types(session: AsyncSession, centre_id: UUID) -> list[ItemType]:
    query = select(ItemType).where(
        col(ItemType.centre_id) == centre_id,
        col(ItemType.retired).is_(False),
    )
    return list((await session.execute(query)).scalars())


async def unit_with_label(session: AsyncSession, item_type_id: UUID, label: str) -> UUID | None:
    return await session.scalar(
        select(col(EquipmentUnit.id)).where(
            col(EquipmentUnit.item_type_id) == item_type_id,
            col(EquipmentUnit.label) == label,
        )
    )


async def list_item_types(
    session: AsyncSession,
    centre_id: UUID,
    *,
    category: str | None,
    include_retired: bool,
    limit: int,
    offset: int,
) -> tuple[list[ItemTypeState], int]:
    await get_centre(session, centre_id)
    query = select(ItemType).where(col(ItemType.centre_id) == centre_id)
    if category is not None:
        query = query.where(col(ItemType.category) == category)
    if not include_retired:
        query = query.where(col(ItemType.retired).is_(False))
    ordered = query.order_by(
        col(ItemType.category), col(ItemType.name), col(ItemType.variant), col(ItemType.id)
    )
    rows, total = await page_of(session, ordered, limit, offset)
    return [item_type_state(r) for r in rows], total


async def item_type_details(session: AsyncSession, item_type_id: UUID) -> ItemTypeState:
    return item_type_state(await get_item_type(session, item_type_id))


async def list_units(
    session: AsyncSession,
    principal: Principal,
    item_type_id: UUID,
    *,
    condition: UnitCondition | None,
    limit: int,
    offset: int,
) -> tuple[list[UnitState], int]:
    item_type = await get_item_type(session, item_type_id)
    require_centre_staff(principal, item_type.centre_id)
    query = select(EquipmentUnit).where(col(EquipmentUnit.item_type_id) == item_type_id)
    if condition is not None:
        query = query.where(col(EquipmentUnit.condition) == condition.value)
    rows, total = await page_of(session, query.order_by(col(EquipmentUnit.label)), limit, offset)
    return [unit_state(r) for r in rows], total
