"""Tables of loan equipment: item types and their units."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from facilities.tables import Table, created_at, updated_at


class ItemType(Table, table=True):
    __tablename__ = "item_type"
    __table_args__ = (
        CheckConstraint("max_loan_days >= 1", name="loan_days_positive"),
        CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="ages"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    centre_id: UUID = Field(foreign_key="site.id", index=True)
    name: str = Field(max_length=160)
    category: str = Field(max_length=80)
    variant: str | None = Field(default=None, max_length=80)
    age_min: int | None = None
    age_max: int | None = None
    max_loan_days: int
    image_url: str | None = Field(default=None, max_length=500)
    retired: bool = False
    created_at: datetime | None = created_at()
    updated_at: datetime | None = updated_at()


class EquipmentUnit(Table, table=True):
    __tablename__ = "equipment_unit"
    __table_args__ = (
        UniqueConstraint("item_type_id", "label", name="uq_equipment_unit_item_type_id_label"),
        CheckConstraint("condition IN ('ok', 'damaged', 'retired')", name="known_condition"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    item_type_id: UUID = Field(foreign_key="item_type.id", index=True)
    centre_id: UUID = Field(foreign_key="site.id", index=True)
    label: str = Field(max_length=80)
    condition: str = Field(default="ok", max_length=10)
    notes: str | None = Field(default=None, max_length=500)
    created_at: datetime | None = created_at()
    updated_at: datetime | None = updated_at()
