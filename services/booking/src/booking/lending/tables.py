"""Tables of equipment lending: `loan` and `loan_unit`, one row per unit a loan holds, with
the loan period as a `tstzrange`; the exclusion constraint refuses two active rows of one unit
whose periods overlap, so no unit is ever lent twice. The stock (item types and units) is
facilities' and lives in the catalogue.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, Text, text
from sqlalchemy.dialects.postgresql import JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlmodel import Field

from booking.tables import Table

NO_DOUBLE_LENDING = "ex_loan_unit_no_double_lending"


def _timestamp(*, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(DateTime(timezone=True), nullable=nullable),
    )


class Loan(Table, table=True):
    __tablename__ = "loan"
    __table_args__ = (Index("ix_loan_status_dates", "status", "pickup_date", "return_date"),)

    loan_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    resident_id: str = Field(max_length=200, index=True)
    centre_id: uuid.UUID = Field(index=True)
    pickup_date: date
    return_date: date
    status: str = Field(max_length=20)
    contact: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    cancel_reason: str | None = Field(default=None, max_length=20)
    damage_notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    picked_up_at: datetime | None = _timestamp(nullable=True)
    returned_at: datetime | None = _timestamp(nullable=True)


class LoanUnit(Table, table=True):
    """A unit held by a loan over the loan period; `active` while the loan holds it."""

    __tablename__ = "loan_unit"
    __table_args__ = (
        # Also written by hand in the lending migration; `btree_gist` provides `=` on uuid.
        ExcludeConstraint(
            ("unit_id", "="),
            ("period", "&&"),
            where=text("active"),
            using="gist",
            name=NO_DOUBLE_LENDING,
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loan.loan_id", index=True)
    unit_id: uuid.UUID = Field(index=True)
    item_type_id: uuid.UUID
    period: Range[datetime] = Field(sa_column=Column(TSTZRANGE, nullable=False))
    active: bool = True
    returned_condition: str | None = Field(default=None, max_length=20)
