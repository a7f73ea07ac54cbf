"""`/price-rules` (admin sets), `/price-quote` and `/price-list` (public)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query

from facilities.dependencies import Limit, Offset, Page
from facilities.domain import BookerCategory, PriceListRow, RuleScope
from facilities.prices import queries, use_cases
from facilities.prices.schemas import (
    PriceList,
    PriceListRowPublic,
    PriceQuote,
    PriceRuleCreate,
    PriceRulePublic,
    PriceRuleUpdate,
    QuoteLinePublic,
)
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.events.facilities import PriceRuleState
from samspill.inputs import Instant

router = APIRouter(tags=["prices"])

_SCOPE_NAMES = {
    RuleScope.SPACE: "space",
    RuleScope.SPACE_KIND: "space_kind",
    RuleScope.DEFAULT: "default",
}


def _public(state: PriceRuleState) -> PriceRulePublic:
    return PriceRulePublic.model_validate(state.model_dump())


@router.get("/price-rules")
async def list_price_rules(
    uow: UnitOfWorkDep,
    space_id: UUID | None = None,
    category: BookerCategory | None = None,
    include_inactive: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PriceRulePublic]:
    states, total = await queries.list_price_rules(
        uow.session,
        space_id=space_id,
        category=category,
        include_inactive=include_inactive,
        limit=limit,
        offset=offset,
    )
    return Page(items=[_public(s) for s in states], total=total, limit=limit, offset=offset)


@router.post("/price-rules", status_code=201)
async def set_price_rule(
    data: PriceRuleCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> PriceRulePublic:
    """Set the rule of a scope and category (replacing the rates of an existing one)."""
    return _public(await use_cases.set_price_rule(uow, principal, data))


@router.patch("/price-rules/{rule_id}")
async def update_price_rule(
    rule_id: UUID, data: PriceRuleUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> PriceRulePublic:
    return _public(await use_cases.update_price_rule(uow, principal, rule_id, data))


@router.delete("/price-rules/{rule_id}")
async def remove_price_rule(
    rule_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> PriceRulePublic:
    return _public(await use_cases.remove_price_rule(uow, principal, rule_id))


@router.get("/price-quote")
async def price_quote(
    uow: UnitOfWorkDep,
    space_id: UUID,
    start: Instant,
    end: Instant,
    category: BookerCategory,
    organisation_is_voluntary: bool | None = Query(default=None),
    participants_under_20: bool | None = Query(default=None),
) -> PriceQuote:
    """The price for a space, interval and booker category, and which rule applied."""
    result, rule_id = await queries.price_quote(
        uow.session,
        space_id=space_id,
        start=start,
        end=end,
        category=category,
        organisation_is_voluntary=organisation_is_voluntary,
        participants_under_20=participants_under_20,
    )
    return PriceQuote(
        space_id=space_id,
        start=start,
        end=end,
        category=category,
        total_ore=result.total_ore,
        total_text=result.total_text,
        free_principle=result.free_principle,
        explanation_nb=result.explanation_nb,
        explanation_en=result.explanation_en,
        rule_id=rule_id,
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


@router.get("/price-list")
async def price_list(uow: UnitOfWorkDep) -> PriceList:
    """The public price list, rendered from the active rules."""
    rows = await queries.public_price_list(uow.session)
    return PriceList(rows=[_row_public(row) for row in rows])


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
