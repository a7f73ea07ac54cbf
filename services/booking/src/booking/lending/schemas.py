"""Request and response bodies of the lending API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from booking.domain import MAX_LOAN_DAYS
from booking.lending.states import LoanDetails
from booking.organisations.schemas import ContactPublic, contact_public
from samspill.contacts import PrivateContact
from samspill.inputs import Day


class LoanContact(PrivateContact):
    """Where messages about the loan go; private to the resident, staff and the events."""


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoanLineCreate(Body):
    item_type_id: uuid.UUID
    quantity: int = Field(le=1000, description="How many units of this item type (at least 1).")


class LoanCreate(Body):
    pickup_date: Day
    return_date: Day
    lines: list[LoanLineCreate] = Field(max_length=20)
    contact: LoanContact | None = Field(
        default=None,
        description="Where messages about the loan go; without it the resident's profile "
        "(`PUT /me/profile`) is used, and with neither the loan is refused (422).",
    )

    @model_validator(mode="after")
    def _bounded_period(self) -> Self:
        if (self.return_date - self.pickup_date).days > MAX_LOAN_DAYS:
            raise ValueError(f"a loan lasts at most {MAX_LOAN_DAYS} days")
        return self


class UnitSwap(Body):
    from_unit_id: uuid.UUID
    to_unit_id: uuid.UUID


class LoanPickup(Body):
    swaps: list[UnitSwap] = Field(default=[], max_length=50)


class LoanReturn(Body):
    damage_notes: str | None = Field(default=None, max_length=2000)
    damaged_unit_ids: list[uuid.UUID] = Field(
        default=[], max_length=50, description="Units that came back damaged."
    )


class LoanUnitPublic(BaseModel):
    unit_id: uuid.UUID
    label: str
    returned_condition: Literal["ok", "damaged"] | None = None


class LoanLinePublic(BaseModel):
    item_type_id: uuid.UUID
    item_type_name: str
    quantity: int
    units: list[LoanUnitPublic]


class LoanPublic(BaseModel):
    loan_id: uuid.UUID
    resident_id: str
    centre_id: uuid.UUID
    centre_name: str
    pickup_date: date
    return_date: date
    status: str
    lines: list[LoanLinePublic]
    contact: ContactPublic
    cancel_reason: str | None = None
    damage_notes: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime
    picked_up_at: datetime | None = None
    returned_at: datetime | None = None


class ItemTypeAvailability(BaseModel):
    item_type_id: uuid.UUID
    name: str
    category: str
    variant: str | None
    age_min: int | None
    age_max: int | None
    max_loan_days: int
    units_in_stock: int = Field(description="Units in condition ok.")
    units_free: int = Field(description="Units in condition ok and on no overlapping loan.")


class LendingAvailability(BaseModel):
    centre_id: uuid.UUID
    pickup_date: date
    return_date: date
    item_types: list[ItemTypeAvailability]


def loan_public(details: LoanDetails) -> LoanPublic:
    loan = details.loan
    return LoanPublic(
        loan_id=loan.loan_id,
        resident_id=loan.resident_id,
        centre_id=loan.centre_id,
        centre_name=details.centre_name,
        pickup_date=loan.pickup_date,
        return_date=loan.return_date,
        status=loan.status,
        lines=[
            LoanLinePublic(
                item_type_id=line.item_type_id,
                item_type_name=line.item_type_name,
                quantity=len(line.units),
                units=[
                    LoanUnitPublic(
                        unit_id=unit.unit_id,
                        label=unit.label,
                        returned_condition=unit.returned_condition,
                    )
                    for unit in line.units
                ],
            )
            for line in details.lines
        ],
        contact=contact_public(loan.contact),
        cancel_reason=loan.cancel_reason,
        damage_notes=loan.damage_notes,
        version=loan.version,
        created_at=loan.created_at,
        updated_at=loan.updated_at,
        picked_up_at=loan.picked_up_at,
        returned_at=loan.returned_at,
    )
