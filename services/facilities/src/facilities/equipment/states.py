"""Item types and units as the event-contract states they publish."""

from __future__ import annotations

from typing import Literal, cast

from facilities.equipment.tables import EquipmentUnit, ItemType
from samspill.events.facilities import ItemTypeState, UnitState

ConditionText = Literal["ok", "damaged", "retired"]


def item_type_state(row: ItemType) -> ItemTypeState:
    return ItemTypeState(
        item_type_id=row.id,
        centre_id=row.centre_id,
        name=row.name,
        category=row.category,
        variant=row.variant,
        age_min=row.age_min,
        age_max=row.age_max,
        max_loan_days=row.max_loan_days,
        image_url=row.image_url,
        retired=row.retired,
    )


def unit_state(row: EquipmentUnit) -> UnitState:
    return UnitState(
        unit_id=row.id,
        item_type_id=row.item_type_id,
        centre_id=row.centre_id,
        label=row.label,
        condition=cast(ConditionText, row.condition),
        notes=row.notes,
    )
