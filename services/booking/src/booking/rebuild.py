"""Rebuild the facilities read model by replaying `samspill.facilities` from the start.

Reads without a consumer group, from the beginning to the end offsets taken at start, and
applies every event to emptied read-model tables in one transaction: readers see the old
model until the new one is complete. Only the read model is rebuilt; the cancellations the
events caused happened when they first arrived and are not repeated. A topic that no longer
holds every event booking's consumer applied is refused (`samspill.replay.check_history`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from booking import readmodel
from booking.lending.handlers import clear_stock, save_stock
from booking.models import messaging
from samspill.db import create_engine, session_factory
from samspill.events import facilities
from samspill.events.base import EventData
from samspill.kafka import KafkaConfig
from samspill.replay import check_history, read_history
from samspill.settings import ServiceSettings

log = structlog.get_logger("booking.rebuild")

CONSUMER = "booking"  # the consumer group and inbox name of booking's facilities consumer

Applier = Callable[[AsyncSession, EventData], Awaitable[None]]
Clearer = Callable[[AsyncSession], Awaitable[None]]


async def rebuild(
    settings: ServiceSettings,
    *,
    clearers: Sequence[Clearer] = (readmodel.clear, clear_stock),
    appliers: Sequence[Applier] = (readmodel.apply_event, save_stock),
    force: bool = False,
) -> int:
    """Replay the facilities topic into emptied read models (halls and equipment stock).

    Raises `samspill.replay.HistoryMissing`, changing nothing, when the topic lacks events the
    consumer applied; `force` rebuilds from what the topic holds all the same.
    """
    kafka = KafkaConfig(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        request_timeout_s=settings.kafka_request_timeout_s,
    )
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        sessions = session_factory(engine)
        history = await read_history(sessions, kafka, [facilities.contract])
        async with sessions() as session, session.begin():
            await check_history(session, messaging.inbox, CONSUMER, history, force=force)
            for clear in clearers:
                await clear(session)
            for envelope in history.envelopes:
                for apply in appliers:
                    await apply(session, envelope.data)
    finally:
        await engine.dispose()
    log.info("rebuild.done", events=len(history.envelopes))
    return len(history.envelopes)
