"""Use case: rebuild the read model by replaying both topics from the start.

The read-model tables are emptied and every event is applied again in one transaction, so
readers see the old model until the new one is complete. Messages are not queued again (they
were queued when the events first arrived), and the consumer's inbox and offsets are left
alone: an event the consumer applies meanwhile waits for the lock and is applied on top, which
is harmless because every event carries its aggregate's full state. Topics that no longer hold
every event the consumer applied are refused (`samspill.replay.check_history`).
"""

from __future__ import annotations

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notifications.readmodel.handlers import apply_to_read_model
from notifications.readmodel.tables import READ_MODEL_TABLES
from notifications.tables import messaging
from samspill.db import UnitOfWork
from samspill.events import booking, facilities
from samspill.events.base import TopicContract
from samspill.kafka import KafkaConfig
from samspill.replay import History, check_history, read_history

log = structlog.get_logger("notifications.rebuild")

CONTRACTS: tuple[TopicContract, ...] = (facilities.contract, booking.contract)
CONSUMER = "notifications"  # the consumer group and inbox name of the event consumer
SOURCE = "/samspill/notifications"  # the unit of work's event source; a rebuild publishes none


async def replay(
    sessions: async_sessionmaker[AsyncSession], history: History, *, force: bool = False
) -> None:
    names = ", ".join(str(table.__tablename__) for table in READ_MODEL_TABLES)
    async with UnitOfWork(sessions, messaging, source=SOURCE) as uow:
        await check_history(uow.session, messaging.inbox, CONSUMER, history, force=force)
        await uow.session.execute(text(f"TRUNCATE {names}"))
        for envelope in history.envelopes:
            await apply_to_read_model(uow.session, envelope)
        await uow.commit()


async def rebuild_read_model(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConfig, *, force: bool = False
) -> int:
    """Replay both topics into an emptied read model; returns the number of events applied.

    Raises `samspill.replay.HistoryMissing`, changing nothing, when the topics lack events the
    consumer applied; `force` rebuilds from what the topics hold all the same.
    """
    history = await read_history(sessions, kafka, CONTRACTS)
    await replay(sessions, history, force=force)
    log.info("rebuild.done", events=len(history.envelopes))
    return len(history.envelopes)
