"""A loan with what its events show (centre name, lines and unit labels), and its state as the
event contract has it: what `loan.*` events carry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from booking.lending.tables import Loan
from samspill.events import booking as be
from samspill.events.base import EventData
from samspill.events.booking import Contact, LoanLine, LoanState
from samspill.privacy import is_erased_marker


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


def current_event(loan: Loan, state: LoanState) -> EventData:
    """The event that carries the loan's state as it stands (a backfill of the state topic): its
    status' event with the reason or notes stored, or `loan.anonymised` once it names no one."""
    if is_erased_marker(loan.resident_id):
        return be.LoanAnonymised(loan=state)
    match state.status:
        case "picked_up":
            return be.LoanPickedUp(loan=state)
        case "returned":
            return be.LoanReturned(loan=state, damage_notes=loan.damage_notes)
        case "cancelled":
            reason: Any = loan.cancel_reason or "by_staff"  # validated by the contract
            return be.LoanCancelled(loan=state, reason=reason)
        case "no_show":
            return be.LoanNoShow(loan=state)
        case "overdue":
            return be.LoanOverdue(loan=state)
        case _:
            return be.LoanReserved(loan=state)
