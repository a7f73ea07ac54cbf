"""Incoming `samspill.facilities` and `samspill.booking` events into the read model (in the
consumer's transaction, together with the inbox row; never commits)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.readmodel.use_cases import apply_to_read_model
from samspill.events.base import Envelope


async def handle(session: AsyncSession, envelope: Envelope) -> None:
    await apply_to_read_model(session, envelope)
