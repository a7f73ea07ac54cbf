"""Stock events from facilities, after the catalogue applied them: a unit that turns damaged
or retired can no longer be lent, so its reserved loans move to another free unit of the type
or are cancelled (`stock`). Runs in the consumer's unit of work; never commits.
"""

from __future__ import annotations

from booking.lending.use_cases import relocate_reserved_loans
from samspill.clock import utc_now
from samspill.db import UnitOfWork
from samspill.events import facilities as fe
from samspill.events.base import Envelope

UNIT_EVENTS = (fe.UnitAdded, fe.UnitConditionChanged, fe.UnitRetired)


async def handle(uow: UnitOfWork, envelope: Envelope) -> None:
    data = envelope.data
    if isinstance(data, UNIT_EVENTS) and data.unit.condition != "ok":
        await relocate_reserved_loans(uow, data.unit.unit_id, utc_now())
