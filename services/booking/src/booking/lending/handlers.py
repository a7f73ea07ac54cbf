"""Stock events from facilities: item types and units into the lending read model.

A unit that turns damaged or retired can no longer be lent, so its reserved loans move to
another free unit of the type or are cancelled (`stock`). Runs inside the consumer's
transaction; never commits.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from booking.lending.lifecycle import SessionOutbox, relocate_reserved_loans
from booking.lending.models import LendingItemType, LendingUnit
from samspill.events import facilities
from samspill.events.base import Envelope, EventData

ITEM_TYPE_EVENTS = (facilities.ItemTypeRegistered, facilities.ItemTypeUpdated)
UNIT_EVENTS = (facilities.UnitAdded, facilities.UnitConditionChanged, facilities.UnitRetired)
STOCK_EVENTS = (*ITEM_TYPE_EVENTS, *UNIT_EVENTS)


async def handle_stock_event(session: AsyncSession, envelope: Envelope) -> None:
    data = envelope.data
    await save_stock(session, data)
    if isinstance(data, UNIT_EVENTS) and data.unit.condition != "ok":
        outbox = SessionOutbox(session)
        await relocate_reserved_loans(session, outbox, data.unit.unit_id, datetime.now(UTC))


async def save_stock(session: AsyncSession, data: EventData) -> None:
    """Upsert the item type or unit an event describes (also usable to replay the topic)."""
    if isinstance(data, ITEM_TYPE_EVENTS):
        await _save_item_type(session, data.item_type)
    elif isinstance(data, UNIT_EVENTS):
        await _save_unit(session, data.unit)


async def clear_stock(session: AsyncSession) -> None:
    """Empty the stock read model before a replay; loans keep their unit ids."""
    await session.execute(delete(LendingUnit))
    await session.execute(delete(LendingItemType))


async def _save_item_type(session: AsyncSession, state: facilities.ItemTypeState) -> None:
    values = state.model_dump(exclude={"image_url"})
    await session.execute(
        insert(LendingItemType)
        .values(**values)
        .on_conflict_do_update(index_elements=["item_type_id"], set_=values)
    )


async def _save_unit(session: AsyncSession, state: facilities.UnitState) -> None:
    values = state.model_dump()
    await session.execute(
        insert(LendingUnit)
        .values(**values)
        .on_conflict_do_update(index_elements=["unit_id"], set_=values)
    )
