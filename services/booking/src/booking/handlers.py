"""Incoming `samspill.facilities` events, dispatched by type.

Each runs in the consumer's transaction together with the inbox row and never commits.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from booking import readmodel
from booking.halls import reactions
from booking.halls.records import utc_now
from booking.lending.handlers import STOCK_EVENTS, handle_stock_event
from samspill.events.base import Envelope, EventData


async def handle(session: AsyncSession, envelope: Envelope) -> None:
    data = envelope.data
    if isinstance(data, readmodel.READ_MODEL_EVENTS):
        await apply_hall_event(session, data)
    elif isinstance(data, STOCK_EVENTS):
        await handle_stock_event(session, envelope)


async def apply_hall_event(session: AsyncSession, data: EventData) -> None:
    """Update the read model, then cancel the bookings the change takes away."""
    await readmodel.apply_event(session, data)
    await reactions.react(session, data, utc_now())
