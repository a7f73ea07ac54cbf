"""Incoming events: the read model first, then the messages the event calls for.

Both happen in the consumer's transaction, together with the inbox row; nothing is sent here.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.outgoing import Occasion, queue_messages
from notifications.readmodel import apply_to_read_model
from samspill.consumer import Handler
from samspill.events.base import Envelope


def event_handler(reminder_time: time) -> Handler:
    """The consumer's handler; `reminder_time` is the Oslo time reminders go out the day before."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        await apply_to_read_model(session, envelope)
        occasion = Occasion(envelope, now=datetime.now(UTC), reminder_time=reminder_time)
        await queue_messages(session, occasion)

    return handle
