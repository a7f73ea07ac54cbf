"""A loan with what its events show (centre name, lines and unit labels), and its state as the
event contract has it: what `loan.*` events carry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from booking.lending.tables import Loan
from samspill.events.booking import Contact, LoanLine, LoanState


@dataclass(frozen=True)
class HeldUnit:
    unit_id: uuid.UUID
    label: str
    returned_condition: str | None


@dataclass(frozen=True)
class HeldLine:
    item_type_id: uuid.UUID
    item_type_name: str
    units: list[HeldUnit]


@dataclass(frozen=True)
class LoanDetails:
    """A loan with what its events and API answers show: centre name, lines and unit labels."""

    loan: Loan
    centre_name: str
    lines: list[HeldLine]

    def state(self) -> LoanState:
        loan = self.loan
        return LoanState(
            loan_id=loan.loan_id,
            resident_id=loan.resident_id,
            centre_id=loan.centre_id,
            centre_name=self.centre_name,
            pickup_date=loan.pickup_date,
            return_date=loan.return_date,
            status=loan.status,
            lines=[
                LoanLine(
                    item_type_id=line.item_type_id,
                    item_type_name=line.item_type_name,
                    unit_ids=[unit.unit_id for unit in line.units],
                    unit_labels=[unit.label for unit in line.units],
                )
                for line in self.lines
            ],
            contact=Contact.model_validate(loan.contact),
            version=loan.version,
            created_at=loan.created_at,
            updated_at=loan.updated_at,
        )
