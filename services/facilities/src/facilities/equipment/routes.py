"""`/centres/{id}/item-types`, `/item-types/{id}/units`, `/units/{id}`: centre staff keep
the stock; item types are public to read."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query

from facilities.dependencies import Limit, Offset, Page
from facilities.domain import UnitCondition
from facilities.equipment import queries, use_cases
from facilities.equipment.schemas import (
    ItemTypeCreate,
    ItemTypePublic,
    ItemTypeUpdate,
    UnitCreate,
    UnitPublic,
    UnitUpdate,
)
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.events.facilities import ItemTypeState, UnitState

router = APIRouter(tags=["equipment"])


def _item_type(state: ItemTypeState) -> ItemTypePublic:
    return ItemTypePublic.model_validate(state.model_dump())


def _unit(state: UnitState) -> UnitPublic:
    return UnitPublic.model_validate(state.model_dump())


@router.get("/centres/{centre_id}/item-types")
async def list_item_types(
    centre_id: UUID,
    uow: UnitOfWorkDep,
    category: str | None = Query(default=None, max_length=80),
    include_retired: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ItemTypePublic]:
    states, total = await queries.list_item_types(
        uow.session,
        centre_id,
        category=category,
        include_retired=include_retired,
        limit=limit,
        offset=offset,
    )
    return Page(items=[_item_type(s) for s in states], total=total, limit=limit, offset=offset)


@router.post("/centres/{centre_id}/item-types", status_code=201)
async def register_item_type(
    centre_id: UUID, data: ItemTypeCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ItemTypePublic:
    return _item_type(await use_cases.register_item_type(uow, principal, centre_id, data))


@router.get("/item-types/{item_type_id}")
async def get_item_type(item_type_id: UUID, uow: UnitOfWorkDep) -> ItemTypePublic:
    return _item_type(await queries.item_type_details(uow.session, item_type_id))


@router.patch("/item-types/{item_type_id}")
async def update_item_type(
    item_type_id: UUID, data: ItemTypeUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ItemTypePublic:
    return _item_type(await use_cases.update_item_type(uow, principal, item_type_id, data))


@router.delete("/item-types/{item_type_id}")
async def retire_item_type(
    item_type_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ItemTypePublic:
    return _item_type(await use_cases.retire_item_type(uow, principal, item_type_id))


@router.get("/item-types/{item_type_id}/units")
async def list_units(
    item_type_id: UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    condition: UnitCondition | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UnitPublic]:
    states, total = await queries.list_units(
        uow.session, principal, item_type_id, condition=condition, limit=limit, offset=offset
    )
    return Page(items=[_unit(s) for s in states], total=total, limit=limit, offset=offset)


@router.post("/item-types/{item_type_id}/units", status_code=201)
async def add_unit(
    item_type_id: UUID, data: UnitCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> UnitPublic:
    return _unit(await use_cases.add_unit(uow, principal, item_type_id, data))


@router.patch("/units/{unit_id}")
async def change_unit(
    unit_id: UUID, data: UnitUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> UnitPublic:
    """Set the unit's condition (`retired` retires it) and notes."""
    return _unit(await use_cases.change_unit(uow, principal, unit_id, data))


@router.delete("/units/{unit_id}")
async def retire_unit(unit_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> UnitPublic:
    return _unit(await use_cases.retire_unit(uow, principal, unit_id))
