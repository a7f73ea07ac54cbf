"""Use cases of price rules, quotes and the public price list (rules in `samspill.pricing`).

A rule is set per scope (a space, a kind of space, or the default) and booker category: setting
a rule for a scope that already has one changes that rule, so there is never more than one
active rule per scope and category (also a unique index). Removing a rule deactivates it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.common import (
    get_row,
    get_space,
    integrity_as_conflict,
    page_of,
    referenced_space,
    require_admin,
)
from facilities.domain import (
    BookerCategory,
    PriceListRow,
    PriceRule,
    RuleScope,
    SpaceKind,
    checked_interval,
    price_list,
    quote,
)
from facilities.models import PriceRuleRow, Site, Space
from facilities.schemas import (
    Page,
    PriceList,
    PriceListRowPublic,
    PriceQuote,
    PriceRuleCreate,
    PriceRulePublic,
    PriceRuleUpdate,
    QuoteLinePublic,
)
from facilities.states import price_rule_state
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events.facilities import PriceRuleSet
from samspill.rules import RuleViolation

MAX_QUOTE = timedelta(days=31)
_SCOPE_NAMES = {
    RuleScope.SPACE: "space",
    RuleScope.SPACE_KIND: "space_kind",
    RuleScope.DEFAULT: "default",
}


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


@integrity_as_conflict
async def set_price_rule(
    uow: UnitOfWork, principal: Principal, data: PriceRuleCreate
) -> PriceRulePublic:
    require_admin(principal)
    if data.space_id is not None:
        await referenced_space(uow.session, data.space_id)
    rule = PriceRule(
        space_id=None if data.space_id is None else str(data.space_id),
        space_kind=data.space_kind,
        category=data.category,
        hourly_rate_ore=data.hourly_rate_ore,
        evening_rate_ore=data.evening_rate_ore,
        weekend_rate_ore=data.weekend_rate_ore,
        evening_from=data.evening_from,
    )
    rule.validate()
    row = await _active_rule_of_scope(uow.session, data) or PriceRuleRow(
        space_id=data.space_id,
        space_kind=None if data.space_kind is None else data.space_kind.value,
        category=data.category.value,
        hourly_rate_ore=0,
    )
    _set_rates(row, rule)
    return await _save(uow, row)


async def _active_rule_of_scope(
    session: AsyncSession, data: PriceRuleCreate
) -> PriceRuleRow | None:
    kind = None if data.space_kind is None else data.space_kind.value
    query = select(PriceRuleRow).where(
        col(PriceRuleRow.active).is_(True),
        col(PriceRuleRow.category) == data.category.value,
        col(PriceRuleRow.space_id).is_not_distinct_from(data.space_id),
        col(PriceRuleRow.space_kind).is_not_distinct_from(kind),
    )
    return (await session.execute(query.with_for_update())).scalar_one_or_none()


def _set_rates(row: PriceRuleRow, rule: PriceRule) -> None:
    row.hourly_rate_ore = rule.hourly_rate_ore
    row.evening_rate_ore = rule.evening_rate_ore
    row.weekend_rate_ore = rule.weekend_rate_ore
    row.evening_from = rule.evening_from


async def _save(uow: UnitOfWork, row: PriceRuleRow) -> PriceRulePublic:
    uow.session.add(row)
    await uow.session.flush()
    state = price_rule_state(row)
    await uow.publish(PriceRuleSet(rule=state), key=str(row.id))
    await uow.commit()
    return PriceRulePublic.model_validate(state.model_dump())


@integrity_as_conflict
async def update_price_rule(
    uow: UnitOfWork, principal: Principal, rule_id: UUID, data: PriceRuleUpdate
) -> PriceRulePublic:
    require_admin(principal)
    row = await _active_rule(uow.session, rule_id)
    changes = data.model_dump(exclude_unset=True)
    current = domain_rule(row)
    if changes.get("hourly_rate_ore", 0) is None or changes.get("evening_from", 0) is None:
        raise RuleViolation(
            "The hourly rate and the evening start cannot be removed.",
            "Timeprisen og starten på kveldssatsen kan ikke fjernes.",
        )
    rule = replace(current, **changes)
    rule.validate()
    _set_rates(row, rule)
    return await _save(uow, row)


async def remove_price_rule(
    uow: UnitOfWork, principal: Principal, rule_id: UUID
) -> PriceRulePublic:
    """Deactivate the rule; quotes fall back to a less specific rule (or the free principle)."""
    require_admin(principal)
    row = await _active_rule(uow.session, rule_id)
    row.active = False
    return await _save(uow, row)


async def _active_rule(session: AsyncSession, rule_id: UUID) -> PriceRuleRow:
    row = await get_row(session, PriceRuleRow, rule_id, ("price rule", "prisregel"), lock=True)
    if not row.active:
        raise RuleViolation(
            "The price rule has been removed; set a new one instead.",
            "Prisregelen er fjernet; sett en ny i stedet.",
        )
    return row


async def list_price_rules(
    session: AsyncSession,
    *,
    space_id: UUID | None,
    category: BookerCategory | None,
    include_inactive: bool,
    limit: int,
    offset: int,
) -> Page[PriceRulePublic]:
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
    items = [PriceRulePublic.model_validate(price_rule_state(r).model_dump()) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


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
) -> PriceQuote:
    """The price of using a space for an interval, with which rule applied and why.

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
    return PriceQuote(
        space_id=space.id,
        start=start,
        end=end,
        category=category,
        total_ore=result.total_ore,
        total_text=result.total_text,
        free_principle=result.free_principle,
        explanation_nb=result.explanation_nb,
        explanation_en=result.explanation_en,
        rule_id=None if result.rule_applied is None else ids[result.rule_applied],
        lines=[
            QuoteLinePublic(
                period=line.period.value,
                label_nb=line.label_nb,
                label_en=line.label_en,
                minutes=int(line.duration.total_seconds() // 60),
                hourly_rate_ore=line.hourly_rate_ore,
                amount_ore=line.amount_ore,
            )
            for line in result.lines
        ],
    )


async def public_price_list(session: AsyncSession) -> PriceList:
    rules = await _active_rules(session)
    names = await _space_names(session, [r.space_id for r in rules if r.space_id is not None])
    rows = price_list([domain_rule(r) for r in rules], names)
    return PriceList(rows=[_row_public(row) for row in rows])


async def _space_names(session: AsyncSession, space_ids: list[UUID]) -> dict[str, str]:
    if not space_ids:
        return {}
    query = (
        select(col(Space.id), col(Space.name), col(Site.name))
        .join(Site, col(Site.id) == col(Space.site_id))
        .where(col(Space.id).in_(space_ids))
    )
    return {str(sid): f"{space}, {site}" for sid, space, site in (await session.execute(query))}


def _row_public(row: PriceListRow) -> PriceListRowPublic:
    return PriceListRowPublic(
        scope=_SCOPE_NAMES[row.scope],
        scope_nb=row.scope_nb,
        scope_en=row.scope_en,
        space_id=None if row.space_id is None else UUID(row.space_id),
        space_kind=row.space_kind,
        category=row.category,
        category_nb=row.category.label_nb,
        category_en=row.category.label_en,
        hourly_rate=row.hourly_rate,
        evening_rate=row.evening_rate,
        weekend_rate=row.weekend_rate,
        evening_from=row.evening_from,
        note_nb=row.note_nb,
        note_en=row.note_en,
    )
