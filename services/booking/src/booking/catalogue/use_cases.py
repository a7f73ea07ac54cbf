"""Writing the facilities read model: one event at a time, or rebuilt from the whole topic.

Rows hold the full state each `samspill.facilities` event carries, so applying an event is an
upsert (or a delete for a lifted closure) and replaying the topic gives the same tables.

The rebuild reads without a consumer group, from the beginning to the end offsets taken at
start, and applies every event to emptied tables in one transaction: readers see the old model
until the new one is complete. Only the read model is rebuilt; the cancellations and loan
moves the events caused happened when they first arrived and are not repeated. A topic that no
longer holds every event booking's consumer applied is refused (`samspill.replay.check_history`).
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.tables import (
    CATALOGUE_TABLES,
    ClosureRecord,
    ItemTypeRecord,
    PriceRuleRecord,
    SiteRecord,
    SpaceRecord,
    UnitRecord,
    WindowRecord,
    access_grant,
)
from booking.tables import Table, messaging
from samspill.access_grants import apply_staff_grants
from samspill.db import UnitOfWork, create_engine, session_factory
from samspill.events import facilities as fe
from samspill.events.base import EventData
from samspill.kafka import KafkaConfig
from samspill.replay import check_history, read_history
from samspill.settings import ServiceSettings

log = structlog.get_logger("booking.rebuild")

CONSUMER = "booking"  # the consumer group and inbox name of booking's facilities consumer
EVENT_SOURCE = "/samspill/booking"

HALL_EVENTS = (
    fe.SiteRegistered,
    fe.SiteUpdated,
    fe.SpaceRegistered,
    fe.SpaceUpdated,
    fe.SpaceRetired,
    fe.WindowReleased,
    fe.WindowWithdrawn,
    fe.ClosureScheduled,
    fe.ClosureLifted,
    fe.PriceRuleSet,
    fe.RequisitionStarted,
    fe.RequisitionLifted,
)
ITEM_TYPE_EVENTS = (fe.ItemTypeRegistered, fe.ItemTypeUpdated)
UNIT_EVENTS = (fe.UnitAdded, fe.UnitConditionChanged, fe.UnitRetired)
STOCK_EVENTS = (*ITEM_TYPE_EVENTS, *UNIT_EVENTS)


async def apply_event(session: AsyncSession, data: EventData) -> None:
    """Bring the read model up to date with one facilities event (never commits)."""
    if isinstance(data, HALL_EVENTS):
        await _apply_hall_event(session, data)
    elif isinstance(data, ITEM_TYPE_EVENTS):
        await _save_item_type(session, data.item_type)
    elif isinstance(data, UNIT_EVENTS):
        await _save_unit(session, data.unit)
    elif isinstance(data, fe.StaffGrantsChanged):
        # Applied in the request's next grant load: a revoked site is refused at once.
        await apply_staff_grants(session, access_grant, data.grants)


async def _apply_hall_event(session: AsyncSession, data: EventData) -> None:
    if isinstance(data, fe.SiteRegistered | fe.SiteUpdated):
        await _upsert(session, SiteRecord, {"site_id": data.site.site_id}, data.site)
    elif isinstance(data, fe.SpaceRegistered | fe.SpaceUpdated | fe.SpaceRetired):
        space = data.space
        await _upsert(
            session, SpaceRecord, {"space_id": space.space_id, "site_id": space.site_id}, space
        )
    elif isinstance(data, fe.WindowReleased | fe.WindowWithdrawn):
        window = data.window
        keys = {"window_id": window.window_id, "space_id": window.space_id}
        await _upsert(session, WindowRecord, keys, window)
    elif isinstance(data, fe.ClosureScheduled):
        await _upsert(session, ClosureRecord, _closure_keys(data.closure), data.closure)
    elif isinstance(data, fe.ClosureLifted):
        await session.execute(
            delete(ClosureRecord).where(col(ClosureRecord.closure_id) == data.closure.closure_id)
        )
    elif isinstance(data, fe.PriceRuleSet):
        await _upsert(session, PriceRuleRecord, {"rule_id": data.rule.rule_id}, data.rule)
    elif isinstance(data, fe.RequisitionStarted):
        for closure in requisition_closures(data.requisition):
            await _upsert(session, ClosureRecord, _closure_keys(closure), closure)
    elif isinstance(data, fe.RequisitionLifted):
        ids = [c.closure_id for c in requisition_closures(data.requisition)]
        await session.execute(delete(ClosureRecord).where(col(ClosureRecord.closure_id).in_(ids)))


def requisition_closures(requisition: fe.RequisitionState) -> list[fe.ClosureState]:
    """A requisition blocks new bookings as an emergency closure does: one closure of the
    whole site, or one per requisitioned space, with ids derived from the requisition's so
    lifting (and replaying) finds the same rows."""
    spaces: list[uuid.UUID | None] = list(requisition.space_ids) or [None]
    return [
        fe.ClosureState(
            closure_id=uuid.uuid5(requisition.requisition_id, str(space or "site")),
            site_id=requisition.site_id,
            space_id=space,
            start=requisition.start,
            end=requisition.end,
            reason="emergency",
            note=requisition.reason,
        )
        for space in spaces
    ]


def _closure_keys(closure: fe.ClosureState) -> dict[str, Any]:
    return {
        "closure_id": closure.closure_id,
        "site_id": closure.site_id,
        "space_id": closure.space_id,
        "start": closure.start,
        "end": closure.end,
    }


async def _upsert(
    session: AsyncSession, model: type[Table], keys: dict[str, Any], state: fe.State
) -> None:
    table: Any = model.__table__  # type: ignore[attr-defined]
    values = {**keys, "state": state.model_dump(mode="json")}
    primary = [column.name for column in table.primary_key.columns]
    statement = pg_insert(table).values(**values)
    updates = {name: statement.excluded[name] for name in values if name not in primary}
    await session.execute(statement.on_conflict_do_update(index_elements=primary, set_=updates))


async def _save_item_type(session: AsyncSession, state: fe.ItemTypeState) -> None:
    values = state.model_dump(exclude={"image_url"})
    await session.execute(
        pg_insert(ItemTypeRecord)
        .values(**values)
        .on_conflict_do_update(index_elements=["item_type_id"], set_=values)
    )


async def _save_unit(session: AsyncSession, state: fe.UnitState) -> None:
    values = state.model_dump()
    await session.execute(
        pg_insert(UnitRecord)
        .values(**values)
        .on_conflict_do_update(index_elements=["unit_id"], set_=values)
    )


async def clear(session: AsyncSession) -> None:
    """Empty every read-model table (before a replay); loans keep their unit ids."""
    for model in CATALOGUE_TABLES:
        await session.execute(delete(model))
    await session.execute(delete(access_grant))


async def rebuild(settings: ServiceSettings, *, force: bool = False) -> int:
    """Replay the facilities topic into the emptied read model (halls, equipment stock and
    staff grants).

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
        history = await read_history(sessions, kafka, [fe.contract])
        async with UnitOfWork(sessions, messaging, source=EVENT_SOURCE) as uow:
            await check_history(uow.session, messaging.inbox, CONSUMER, history, force=force)
            await clear(uow.session)
            for envelope in history.envelopes:
                await apply_event(uow.session, envelope.data)
            await uow.commit()
    finally:
        await engine.dispose()
    log.info("rebuild.done", events=len(history.envelopes))
    return len(history.envelopes)
