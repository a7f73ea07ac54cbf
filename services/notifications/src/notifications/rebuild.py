"""Rebuild the read model by replaying both topics from the start.

The read-model tables are emptied and every event is applied again in one transaction, so
readers see the old model until the new one is complete. Messages are not queued again (they
were queued when the events first arrived), and the consumer's inbox and offsets are left
alone: an event the consumer applies meanwhile waits for the lock and is applied on top, which
is harmless because every event carries its aggregate's full state.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notifications.models import READ_MODEL_TABLES
from notifications.readmodel import apply_to_read_model
from samspill.events import booking, facilities
from samspill.events.base import Envelope, TopicContract
from samspill.kafka import KafkaConfig
from samspill.replay import read_events

log = structlog.get_logger("notifications.rebuild")

CONTRACTS: tuple[TopicContract, ...] = (facilities.contract, booking.contract)


async def replay(sessions: async_sessionmaker[AsyncSession], envelopes: Sequence[Envelope]) -> None:
    names = ", ".join(str(table.__tablename__) for table in READ_MODEL_TABLES)
    async with sessions() as session, session.begin():
        await session.execute(text(f"TRUNCATE {names}"))
        for envelope in envelopes:
            await apply_to_read_model(session, envelope)


async def rebuild_read_model(sessions: async_sessionmaker[AsyncSession], kafka: KafkaConfig) -> int:
    """Replay both topics into an emptied read model; returns the number of events applied."""
    envelopes: list[Envelope] = []
    for contract in CONTRACTS:
        envelopes.extend(await read_events(kafka, contract))
    await replay(sessions, envelopes)
    log.info("rebuild.done", events=len(envelopes))
    return len(envelopes)
