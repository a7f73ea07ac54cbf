"""Incoming `samspill.facilities` events into the read model (in the consumer's transaction,
together with the inbox row; never commits)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from booking.catalogue.use_cases import apply_event
from samspill.events.base import Envelope


async def handle(session: AsyncSession, envelope: Envelope) -> None:
    await apply_event(session, envelope.data)
