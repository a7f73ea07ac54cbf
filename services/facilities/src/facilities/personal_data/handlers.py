"""Incoming `samspill.booking` events: facilities applies only `PersonErased` (in the
consumer's unit of work, together with the inbox row; never commits)."""

from __future__ import annotations

from facilities.personal_data.use_cases import erase_person
from samspill.db import UnitOfWork
from samspill.events import booking as bk
from samspill.events.base import Envelope, EventData

CONSUMER = "facilities"  # the consumer group and inbox name of the booking topic's consumer
APPLIED: frozenset[type[EventData]] = frozenset({bk.PersonErased})  # the rest is passed over


async def handle(uow: UnitOfWork, envelope: Envelope) -> None:
    if isinstance(envelope.data, bk.PersonErased):
        await erase_person(uow, envelope.data.erasure.person_id)
