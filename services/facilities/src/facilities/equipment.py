"""Use cases of loan equipment: item types at an equipment centre and their units.

Equipment centres are sites of kind `equipment_centre`; their staff (the `centre_ids` claim)
keep the catalogue and the stock. Item types are public to read, units only to the staff.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.common import get_row, integrity_as_conflict, page_of, require_centre_staff
from facilities.domain import SiteKind, UnitCondition, change_condition
from facilities.models import EquipmentUnit, ItemType, Site
from facilities.schemas import (
    ItemTypeCreate,
    ItemTypePublic,
    ItemTypeUpdate,
    Page,
    UnitCreate,
    UnitPublic,
    UnitUpdate,
)
from facilities.states import item_type_state, unit_state
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events.facilities import (
    ItemTypeRegistered,
    ItemTypeUpdated,
    UnitAdded,
    UnitConditionChanged,
    UnitRetired,
)
from samspill.rules import ConflictError, NotFoundError, RuleViolation


async def get_centre(session: AsyncSession, centre_id: UUID) -> Site:
    site = await session.get(Site, centre_id)
    if site is None or site.kind != SiteKind.EQUIPMENT_CENTRE:
        raise NotFoundError(
            f"No equipment centre with id {centre_id}.",
            f"Fant ingen utstyrssentral med id {centre_id}.",
        )
    return site


async def get_item_type(
    session: AsyncSession, item_type_id: UUID, *, lock: bool = False
) -> ItemType:
    return await get_row(session, ItemType, item_type_id, ("item type", "utstyrstype"), lock=lock)


@integrity_as_conflict
async def register_item_type(
    uow: UnitOfWork, principal: Principal, centre_id: UUID, data: ItemTypeCreate
) -> ItemTypePublic:
    centre = await get_centre(uow.session, centre_id)
    require_centre_staff(principal, centre.id)
    _check_ages(data.age_min, data.age_max)
    await _ensure_unique(uow.session, centre.id, data.name, data.variant)
    row = ItemType(centre_id=centre.id, **data.model_dump())
    uow.session.add(row)
    await uow.session.flush()
    state = item_type_state(row)
    await uow.publish(ItemTypeRegistered(item_type=state), key=str(row.id))
    await uow.commit()
    return ItemTypePublic.model_validate(state.model_dump())


@integrity_as_conflict
async def update_item_type(
    uow: UnitOfWork, principal: Principal, item_type_id: UUID, data: ItemTypeUpdate
) -> ItemTypePublic:
    row = await get_item_type(uow.session, item_type_id, lock=True)
    require_centre_staff(principal, row.centre_id)
    _ensure_not_retired(row)
    changes = _changes(data)
    _check_ages(changes.get("age_min", row.age_min), changes.get("age_max", row.age_max))
    if {"name", "variant"} & changes.keys():
        name, variant = changes.get("name", row.name), changes.get("variant", row.variant)
        await _ensure_unique(uow.session, row.centre_id, name, variant, except_id=row.id)
    for name, value in changes.items():
        setattr(row, name, value)
    return await _save_item_type(uow, row)


async def retire_item_type(
    uow: UnitOfWork, principal: Principal, item_type_id: UUID
) -> ItemTypePublic:
    """No longer lent out; announced as `item_type.updated` with `retired: true`."""
    row = await get_item_type(uow.session, item_type_id, lock=True)
    require_centre_staff(principal, row.centre_id)
    _ensure_not_retired(row)
    row.retired = True
    return await _save_item_type(uow, row)


async def _save_item_type(uow: UnitOfWork, row: ItemType) -> ItemTypePublic:
    await uow.session.flush()
    state = item_type_state(row)
    await uow.publish(ItemTypeUpdated(item_type=state), key=str(row.id))
    await uow.commit()
    return ItemTypePublic.model_validate(state.model_dump())


def _changes(data: ItemTypeUpdate) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True)
    required = {"name", "category", "max_loan_days"}
    return {k: v for k, v in values.items() if v is not None or k not in required}


def _check_ages(age_min: int | None, age_max: int | None) -> None:
    if age_min is not None and age_max is not None and age_min > age_max:
        raise RuleViolation(
            "The lowest age cannot be above the highest.",
            "Laveste alder kan ikke være over høyeste alder.",
        )


def _ensure_not_retired(row: ItemType) -> None:
    if row.retired:
        raise RuleViolation(
            "The item type is retired and can no longer be changed.",
            "Utstyrstypen er utgått og kan ikke endres.",
        )


async def _ensure_unique(
    session: AsyncSession,
    centre_id: UUID,
    name: str,
    variant: str | None,
    *,
    except_id: UUID | None = None,
) -> None:
    query = select(ItemType).where(
        col(ItemType.centre_id) == centre_id,
        col(ItemType.retired).is_(False),
    )
    for other in (await session.execute(query)).scalars():
        if other.id != except_id and (other.name, other.variant) == (name, variant):
            raise ConflictError(
                f"The centre already has {name!r} ({variant or 'no variant'}): {other.id}.",
                f"Sentralen har allerede {name!r} ({variant or 'uten variant'}): {other.id}.",
            )


async def list_item_types(
    session: AsyncSession,
    centre_id: UUID,
    *,
    category: str | None,
    include_retired: bool,
    limit: int,
    offset: int,
) -> Page[ItemTypePublic]:
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
    items = [ItemTypePublic.model_validate(item_type_state(r).model_dump()) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def get_item_type_public(session: AsyncSession, item_type_id: UUID) -> ItemTypePublic:
    row = await get_item_type(session, item_type_id)
    return ItemTypePublic.model_validate(item_type_state(row).model_dump())


# Units


@integrity_as_conflict
async def add_unit(
    uow: UnitOfWork, principal: Principal, item_type_id: UUID, data: UnitCreate
) -> UnitPublic:
    item_type = await get_item_type(uow.session, item_type_id, lock=True)
    require_centre_staff(principal, item_type.centre_id)
    if item_type.retired:
        raise RuleViolation(
            "The item type is retired; add no units to it.",
            "Utstyrstypen er utgått; legg ikke til enheter.",
        )
    await _ensure_unique_label(uow.session, item_type.id, data.label)
    row = EquipmentUnit(
        item_type_id=item_type.id,
        centre_id=item_type.centre_id,
        label=data.label,
        condition=UnitCondition(data.condition).value,
        notes=data.notes,
    )
    uow.session.add(row)
    await uow.session.flush()
    state = unit_state(row)
    await uow.publish(UnitAdded(unit=state), key=str(item_type.id))
    await uow.commit()
    return UnitPublic.model_validate(state.model_dump())


async def _ensure_unique_label(session: AsyncSession, item_type_id: UUID, label: str) -> None:
    found = await session.scalar(
        select(col(EquipmentUnit.id)).where(
            col(EquipmentUnit.item_type_id) == item_type_id,
            col(EquipmentUnit.label) == label,
        )
    )
    if found is not None:
        raise ConflictError(
            f"The item type already has a unit labelled {label!r} ({found}).",
            f"Utstyrstypen har allerede en enhet merket {label!r} ({found}).",
        )


async def change_unit(
    uow: UnitOfWork, principal: Principal, unit_id: UUID, data: UnitUpdate
) -> UnitPublic:
    """A new condition (and notes): `unit.retired` when retired, else `unit.condition_changed`
    (also when only the notes change, with the same previous condition)."""
    row = await _unit_for_staff(uow, principal, unit_id)
    previous = UnitCondition(row.condition)
    if previous is UnitCondition.RETIRED:
        raise RuleViolation(
            "The unit is retired and can no longer be changed.",
            "Enheten er utrangert og kan ikke endres.",
        )
    row.condition = change_condition(previous, data.condition).value
    if "notes" in data.model_fields_set:
        row.notes = data.notes
    await uow.session.flush()
    state = unit_state(row)
    if data.condition is UnitCondition.RETIRED:
        await uow.publish(UnitRetired(unit=state), key=str(row.item_type_id))
    else:
        event = UnitConditionChanged(unit=state, previous_condition=previous.value)
        await uow.publish(event, key=str(row.item_type_id))
    await uow.commit()
    return UnitPublic.model_validate(state.model_dump())


async def retire_unit(uow: UnitOfWork, principal: Principal, unit_id: UUID) -> UnitPublic:
    return await change_unit(uow, principal, unit_id, UnitUpdate(condition=UnitCondition.RETIRED))


async def _unit_for_staff(uow: UnitOfWork, principal: Principal, unit_id: UUID) -> EquipmentUnit:
    row = await get_row(uow.session, EquipmentUnit, unit_id, ("unit", "enhet"), lock=True)
    require_centre_staff(principal, row.centre_id)
    return row


async def list_units(
    session: AsyncSession,
    principal: Principal,
    item_type_id: UUID,
    *,
    condition: UnitCondition | None,
    limit: int,
    offset: int,
) -> Page[UnitPublic]:
    item_type = await get_item_type(session, item_type_id)
    require_centre_staff(principal, item_type.centre_id)
    query = select(EquipmentUnit).where(col(EquipmentUnit.item_type_id) == item_type_id)
    if condition is not None:
        query = query.where(col(EquipmentUnit.condition) == condition.value)
    rows, total = await page_of(session, query.order_by(col(EquipmentUnit.label)), limit, offset)
    items = [UnitPublic.model_validate(unit_state(r).model_dump()) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
