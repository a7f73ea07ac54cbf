"""Use cases of loan equipment: item types at an equipment centre and their units.

Equipment centres are sites of kind `equipment_centre`; their staff (granted by an admin, see
`staff`) keep the catalogue and the stock. Item types are public to read, units only to the
staff.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from facilities.dependencies import integrity_as_conflict, require_centre_staff
from facilities.domain import UnitCondition, change_condition
from facilities.equipment.queries import (
    active_item_types,
    get_centre,
    get_item_type,
    get_unit,
    unit_with_label,
)
from facilities.equipment.schemas import ItemTypeCreate, ItemTypeUpdate, UnitCreate, UnitUpdate
from facilities.equipment.states import item_type_state, unit_state
from facilities.equipment.tables import EquipmentUnit, ItemType
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, RuleViolation
from samspill.events.facilities import (
    ItemTypeRegistered,
    ItemTypeState,
    ItemTypeUpdated,
    UnitAdded,
    UnitConditionChanged,
    UnitRetired,
    UnitState,
)


@integrity_as_conflict
async def register_item_type(
    uow: UnitOfWork, principal: Principal, centre_id: UUID, data: ItemTypeCreate
) -> ItemTypeState:
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
    return state


@integrity_as_conflict
async def update_item_type(
    uow: UnitOfWork, principal: Principal, item_type_id: UUID, data: ItemTypeUpdate
) -> ItemTypeState:
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
) -> ItemTypeState:
    """No longer lent out; announced as `item_type.updated` with `retired: true`."""
    row = await get_item_type(uow.session, item_type_id, lock=True)
    require_centre_staff(principal, row.centre_id)
    _ensure_not_retired(row)
    row.retired = True
    return await _save_item_type(uow, row)


async def _save_item_type(uow: UnitOfWork, row: ItemType) -> ItemTypeState:
    await uow.session.flush()
    state = item_type_state(row)
    await uow.publish(ItemTypeUpdated(item_type=state), key=str(row.id))
    await uow.commit()
    return state


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
    for other in await active_item_types(session, centre_id):
        if other.id != except_id and (other.name, other.variant) == (name, variant):
            raise Conflict(
                f"The centre already has {name!r} ({variant or 'no variant'}): {other.id}.",
                f"Sentralen har allerede {name!r} ({variant or 'uten variant'}): {other.id}.",
            )


# Units


@integrity_as_conflict
async def add_unit(
    uow: UnitOfWork, principal: Principal, item_type_id: UUID, data: UnitCreate
) -> UnitState:
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
    return state


async def _ensure_unique_label(session: AsyncSession, item_type_id: UUID, label: str) -> None:
    found = await unit_with_label(session, item_type_id, label)
    if found is not None:
        raise Conflict(
            f"The item type already has a unit labelled {label!r} ({found}).",
            f"Utstyrstypen har allerede en enhet merket {label!r} ({found}).",
        )


async def change_unit(
    uow: UnitOfWork, principal: Principal, unit_id: UUID, data: UnitUpdate
) -> UnitState:
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
    return state


async def retire_unit(uow: UnitOfWork, principal: Principal, unit_id: UUID) -> UnitState:
    return await change_unit(uow, principal, unit_id, UnitUpdate(condition=UnitCondition.RETIRED))


async def _unit_for_staff(uow: UnitOfWork, principal: Principal, unit_id: UUID) -> EquipmentUnit:
    row = await get_unit(uow.session, unit_id, lock=True)
    require_centre_staff(principal, row.centre_id)
    return row
