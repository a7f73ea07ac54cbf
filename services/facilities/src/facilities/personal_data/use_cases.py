"""A person's erasure in facilities, and staff's export for a written request.

`erase_person` runs in the consumer's unit of work (it never commits): the person's staff
grants are revoked (announced with `StaffGrantsChanged`, so booking and notifications drop
their copies) and grants they gave name the marker instead of them. A second erasure finds
nothing and announces nothing.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from facilities.staff.tables import StaffGrant
from facilities.staff.use_cases import revoke_all_of
from facilities.tables import messaging
from samspill.db import UnitOfWork
from samspill.outbox import forget_published
from samspill.privacy import erased_marker


async def erase_person(uow: UnitOfWork, person_id: str) -> None:
    await revoke_all_of(uow, person_id)
    await uow.session.execute(
        update(StaffGrant)
        .where(col(StaffGrant.granted_by) == person_id)
        .values(granted_by=erased_marker(person_id))
    )
    # Grants announced earlier name the person; the revocation just written is still to go out.
    await forget_published(uow.session, messaging, [person_id])
