"""Rebuild the facilities read model by replaying `samspill.facilities` from the start.

Reads without a consumer group, from the beginning to the end offsets taken at start, and
applies every event to emptied read-model tables in one transaction: readers see the old
model until the new one is complete. Only the read model is rebuilt; the cancellations the
events caused happened when they first arrived and are not repeated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from booking import readmodel
from booking.lending.handlers import clear_stock, save_stock
from samspill.db import create_engine, session_factory
from samspill.events import facilities
from samspill.events.base import EventData
from samspill.kafka import KafkaConfig
from samspill.replay import read_events
from samspill.settings import ServiceSettings

log = structlog.get_logger("booking.rebuild")

Applier = Callable[[AsyncSession, EventData], Awaitable[None]]
Clearer = Callable[[AsyncSession], Awaitable[None]]


async def rebuild(
    settings: ServiceSettings,
    *,
    clearers: Sequence[Clearer] = (readmodel.clear, clear_stock),
    appliers: Sequence[Applier] = (readmodel.apply_event, save_stock),
) -> int:
    """Replay the facilities topic into emptied read models (halls and equipment stock)."""
    kafka = KafkaConfig(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        request_timeout_s=settings.kafka_request_timeout_s,
    )
    events = [envelope.data for envelope in await read_events(kafka, facilities.contract)]
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            for clear in clearers:
                await clear(session)
            for event in events:
                for apply in appliers:
                    await apply(session, event)
    finally:
        await engine.dispose()
    log.info("rebuild.done", events=len(events))
    return len(events)
