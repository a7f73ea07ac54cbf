"""Reads of price rules: lists, quotes and the public price list (rules in `samspill.pricing`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.dependencies import get_row, page_of
from facilities.domain import (
    BookerCategory,
    PriceListRow,
    PriceRule,
    Quote,
    SpaceKind,
    checked_interval,
    price_list,
    quote,
)
from facilities.prices.states import price_rule_state
from facilities.prices.tables import PriceRuleRow
from facilities.sites.tables import Site
from facilities.spaces.queries import get_space
from facilities.spaces.tables import Space
from samspill.errors import RuleViolation
from samspill.events.facilities import PriceRuleState

MAX_QUOTE = timedelta(days=31)


def domain_rule(row: PriceRuleRow) -> PriceRule:
    return PriceRule(
        space_id=None if row.space_id is None else str(row.space_id),
        space_kind=None if row.space_kind is None else SpaceKind(row.space_kind),
        category=BookerCategory(row.category),
        hourly_rate_ore=row.hourly_rate_ore,
        evening_rate_ore=row.evening_rate_ore,
        weekend_rate_ore=row.weekend_rate_ore,
        evening_from=row.evening_from,
    )


async def get_price_rule(
    session: AsyncSession, rule_id: UUID, *, lock: bool = False
) -> PriceRuleRow:
    return await get_row(session, PriceRuleRow, rule_id, ("price rule", "prisregel"), lock=lock)


async def active_rule_of_scope(
    session: AsyncSession,
    *,
    space_id: UUID | None,
    space_kind: SpaceKind | None,
    category: BookerCategory,
) -> PriceRuleRow | None:
    """The active rule of this scope and category, locked for this transaction."""
    kind = None if space_kind is None else space_kind.value
    query = select(PriceRuleRow).where(
        col(PriceRuleRow.active).is_(True),
        col(PriceRuleRow.category) == category.value,
        col(PriceRuleRow.space_id).is_not_distinct_from(space_id),
        col(PriceRuleRow.space_kind).is_not_distinct_from(kind),
    )
    return (await session.execute(query.with_for_update())).scalar_one_or_none()


async def list_price_rules(
    session: AsyncSession,
    *,
    space_id: UUID | None,
    category: BookerCategory | None,
    include_inactive: bool,
    limit: int,
    offset: int,
) -> tuple[list[PriceRuleState], int]:
    query = select(PriceRuleRow)
    if space_id is not None:
        query = query.where(col(PriceRuleRow.space_id) == space_id)
    if category is not None:
        query = query.where(col(PriceRuleRow.category) == category.value)
    if not include_inactive:
        query = query.where(col(PriceRuleRow.active).is_(True))
    ordered = query.order_by(
        col(PriceRuleRow.category), col(PriceRuleRow.created_at), col(PriceRuleRow.id)
    )
    rows, total = await page_of(session, ordered, limit, offset)
    return [price_rule_state(r) for r in rows], total


async def _active_rules(session: AsyncSession) -> list[PriceRuleRow]:
    query = select(PriceRuleRow).where(col(PriceRuleRow.active).is_(True))
    return list((await session.execute(query)).scalars())


async def price_quote(
    session: AsyncSession,
    *,
    space_id: UUID,
    start: datetime,
    end: datetime,
    category: BookerCategory,
    organisation_is_voluntary: bool | None,
    participants_under_20: bool | None,
) -> tuple[Quote, UUID | None]:
    """The price of using a space for an interval, and the id of the rule that applied.

    Unless told otherwise, the children and youth category is taken to mean a voluntary
    organisation's activity for participants under 20.
    """
    space = await get_space(session, space_id)
    interval = checked_interval(start, end)
    if interval.duration > MAX_QUOTE:
        raise RuleViolation(
            f"A quote covers at most {MAX_QUOTE.days} days.",
            f"Et pristilbud gjelder høyst {MAX_QUOTE.days} dager.",
        )
    youth = category is BookerCategory.CHILDREN_YOUTH
    rows = await _active_rules(session)
    ids = {domain_rule(r): r.id for r in rows}
    result = quote(
        str(space.id),
        SpaceKind(space.kind),
        interval,
        category,
        ids,
        youth if organisation_is_voluntary is None else organisation_is_voluntary,
        youth if participants_under_20 is None else participants_under_20,
    )
    return result, None if result.rule_applied is None else ids[result.rule_applied]


async def public_price_list(session: AsyncSession) -> list[PriceListRow]:
    rules = await _active_rules(session)
    names = await _space_names(session, [r.space_id for r in rules if r.space_id is not None])
    return price_list([domain_rule(r) for r in rules], names)


async def _space_names(session: AsyncSession, space_ids: list[UUID]) -> dict[str, str]:
    if not space_ids:
        return {}
    query = (
        select(col(Space.id), col(Space.name), col(Site.name))
        .join(Site, col(Site.id) == col(Space.site_id))
        .where(col(Space.id).in_(space_ids))
    )
    return {str(sid): f"{space}, {site}" for sid, space, site in (await session.execute(query))}
