"""`/price-rules` (admin sets), `/price-quote` and `/price-list` (public)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query

from facilities import prices
from facilities.api.deps import Limit, Offset
from facilities.domain import BookerCategory
from facilities.schemas import (
    Page,
    PriceList,
    PriceQuote,
    PriceRuleCreate,
    PriceRulePublic,
    PriceRuleUpdate,
)
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.inputs import Instant

router = APIRouter(tags=["prices"])


@router.get("/price-rules")
async def list_price_rules(
    uow: UnitOfWorkDep,
    space_id: UUID | None = None,
    category: BookerCategory | None = None,
    include_inactive: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PriceRulePublic]:
    return await prices.list_price_rules(
        uow.session,
        space_id=space_id,
        category=category,
        include_inactive=include_inactive,
        limit=limit,
        offset=offset,
    )


@router.post("/price-rules", status_code=201)
async def set_price_rule(
    data: PriceRuleCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> PriceRulePublic:
    """Set the rule of a scope and category (replacing the rates of an existing one)."""
    return await prices.set_price_rule(uow, principal, data)


@router.patch("/price-rules/{rule_id}")
async def update_price_rule(
    rule_id: UUID, data: PriceRuleUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> PriceRulePublic:
    return await prices.update_price_rule(uow, principal, rule_id, data)


@router.delete("/price-rules/{rule_id}")
async def remove_price_rule(
    rule_id: UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> PriceRulePublic:
    return await prices.remove_price_rule(uow, principal, rule_id)


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
    return await prices.price_quote(
        uow.session,
        space_id=space_id,
        start=start,
        end=end,
        category=category,
        organisation_is_voluntary=organisation_is_voluntary,
        participants_under_20=participants_under_20,
    )


@router.get("/price-list")
async def price_list(uow: UnitOfWorkDep) -> PriceList:
    """The public price list, rendered from the active rules."""
    return await prices.public_price_list(uow.session)
