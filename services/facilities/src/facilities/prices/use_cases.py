"""Use cases of price rules (rules in `samspill.pricing`).

A rule is set per scope (a space, a kind of space, or the default) and booker category: setting
a rule for a scope that already has one changes that rule, so there is never more than one
active rule per scope and category (also a unique index). Removing a rule deactivates it.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from facilities.dependencies import integrity_as_conflict, require_admin
from facilities.domain import PriceRule
from facilities.prices.queries import active_rule_of_scope, domain_rule, get_price_rule
from facilities.prices.schemas import PriceRuleCreate, PriceRuleUpdate
from facilities.prices.states import price_rule_state
from facilities.prices.tables import PriceRuleRow
from facilities.spaces.queries import referenced_space
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import RuleViolation
from samspill.events.facilities import PriceRuleSet, PriceRuleState


@integrity_as_conflict
async def set_price_rule(
    uow: UnitOfWork, principal: Principal, data: PriceRuleCreate
) -> PriceRuleState:
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
    current = await active_rule_of_scope(
        uow.session, space_id=data.space_id, space_kind=data.space_kind, category=data.category
    )
    row = current or PriceRuleRow(
        space_id=data.space_id,
        space_kind=None if data.space_kind is None else data.space_kind.value,
        category=data.category.value,
        hourly_rate_ore=0,
    )
    _set_rates(row, rule)
    return await _save(uow, row)


def _set_rates(row: PriceRuleRow, rule: PriceRule) -> None:
    row.hourly_rate_ore = rule.hourly_rate_ore
    row.evening_rate_ore = rule.evening_rate_ore
    row.weekend_rate_ore = rule.weekend_rate_ore
    row.evening_from = rule.evening_from


async def _save(uow: UnitOfWork, row: PriceRuleRow) -> PriceRuleState:
    uow.session.add(row)
    await uow.session.flush()
    state = price_rule_state(row)
    await uow.publish(PriceRuleSet(rule=state), key=str(row.id))
    await uow.commit()
    return state


@integrity_as_conflict
async def update_price_rule(
    uow: UnitOfWork, principal: Principal, rule_id: UUID, data: PriceRuleUpdate
) -> PriceRuleState:
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


async def remove_price_rule(uow: UnitOfWork, principal: Principal, rule_id: UUID) -> PriceRuleState:
    """Deactivate the rule; quotes fall back to a less specific rule (or the free principle)."""
    require_admin(principal)
    row = await _active_rule(uow.session, rule_id)
    row.active = False
    return await _save(uow, row)


async def _active_rule(session: AsyncSession, rule_id: UUID) -> PriceRuleRow:
    row = await get_price_rule(session, rule_id, lock=True)
    if not row.active:
        raise RuleViolation(
            "The price rule has been removed; set a new one instead.",
            "Prisregelen er fjernet; sett en ny i stedet.",
        )
    return row
