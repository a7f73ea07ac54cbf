"""Reads of the facilities read model, as contract states or as the domain's views.

Never writes: the rows change only through `catalogue.use_cases.apply_event`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.tables import (
    ClosureRecord,
    PriceRuleRecord,
    SiteRecord,
    SpaceRecord,
    WindowRecord,
)
from booking.domain import BookingRules, ClosureView, SpaceView, WindowView
from samspill.db import any_of
from samspill.events import facilities as fe
from samspill.intervals import Interval
from samspill.pricing import BookerCategory, PriceRule, SpaceKind


async def get_space(session: AsyncSession, space_id: uuid.UUID) -> fe.SpaceState | None:
    row = await session.get(SpaceRecord, space_id)
    return None if row is None else fe.SpaceState.model_validate(row.state)


async def get_site(session: AsyncSession, site_id: uuid.UUID) -> fe.SiteState | None:
    row = await session.get(SiteRecord, site_id)
    return None if row is None else fe.SiteState.model_validate(row.state)


async def all_spaces(session: AsyncSession) -> list[fe.SpaceState]:
    rows = (await session.execute(select(col(SpaceRecord.state)))).scalars()
    return [fe.SpaceState.model_validate(state) for state in rows]


async def all_sites(session: AsyncSession) -> dict[uuid.UUID, fe.SiteState]:
    rows = (await session.execute(select(col(SiteRecord.state)))).scalars()
    sites = [fe.SiteState.model_validate(state) for state in rows]
    return {site.site_id: site for site in sites}


def window_states(space_ids: Iterable[uuid.UUID] | ColumnElement[Any]) -> Select[dict[str, Any]]:
    return select(col(WindowRecord.state)).where(any_of(col(WindowRecord.space_id), space_ids))


def windows_from(states: Iterable[dict[str, Any]]) -> list[WindowView]:
    """The windows still released, as the rules see them, from their read-model states."""
    windows = (window_view(fe.WindowState.model_validate(state)) for state in states)
    return [view for view in windows if view is not None]


async def windows_of(session: AsyncSession, space_ids: Iterable[uuid.UUID]) -> list[WindowView]:
    return windows_from((await session.execute(window_states(space_ids))).scalars())


def closure_states(
    site_ids: Iterable[uuid.UUID] | ColumnElement[Any],
    start: datetime | ColumnElement[datetime],
    end: datetime | ColumnElement[datetime],
) -> Select[dict[str, Any]]:
    """The states of the closures of the sites that overlap `start`..`end`."""
    return select(col(ClosureRecord.state)).where(
        any_of(col(ClosureRecord.site_id), site_ids),
        col(ClosureRecord.start) < end,
        col(ClosureRecord.end) > start,
    )


def closures_from(states: Iterable[dict[str, Any]]) -> list[ClosureView]:
    return [closure_view(fe.ClosureState.model_validate(state)) for state in states]


async def closures_of(
    session: AsyncSession, site_ids: Iterable[uuid.UUID], within: Interval
) -> list[ClosureView]:
    query = closure_states(site_ids, within.start, within.end)
    return closures_from((await session.execute(query)).scalars())


def price_rule_states() -> Select[dict[str, Any]]:
    return select(col(PriceRuleRecord.state))


def price_rules_from(states: Iterable[dict[str, Any]]) -> list[PriceRule]:
    rules = (price_rule(fe.PriceRuleState.model_validate(state)) for state in states)
    return [rule for rule in rules if rule is not None]


async def price_rules(session: AsyncSession) -> list[PriceRule]:
    return price_rules_from((await session.execute(price_rule_states())).scalars())


def json_list(states: Select[dict[str, Any]]) -> ScalarSelect[list[dict[str, Any]]]:
    """The query's one JSON column as one JSON array (empty when no row), to read several
    such lists and other columns in one statement."""
    column = states.selected_columns[0]
    aggregated = func.coalesce(func.jsonb_agg(column), text("'[]'::jsonb"), type_=JSONB)
    return states.with_only_columns(aggregated, maintain_column_froms=True).scalar_subquery()


# --- contract state → domain views -------------------------------------------------------


def space_view(space: fe.SpaceState) -> SpaceView:
    rules = space.rules
    return SpaceView(
        space_id=str(space.space_id),
        site_id=str(space.site_id),
        name=space.name,
        capacity=space.capacity,
        rules=BookingRules.of(rules),
        retired=space.retired,
        conflicts_with=frozenset(str(other) for other in space.conflicts_with),
    )


def window_view(window: fe.WindowState) -> WindowView | None:
    """The window as the rules see it; None once the whole window is withdrawn."""
    return WindowView.released(
        str(window.window_id),
        str(window.space_id),
        kind=window.kind,
        weekdays=window.weekdays,
        start=window.start_time,
        end=window.end_time,
        valid_from=window.valid_from,
        valid_to=window.valid_to,
        withdrawn_dates=window.withdrawn_dates,
        withdrawn=window.withdrawn,
        time_zone=window.time_zone,
    )


def closure_view(closure: fe.ClosureState) -> ClosureView:
    return ClosureView(
        interval=Interval(closure.start, closure.end),
        reason=closure.reason,
        space_id=None if closure.space_id is None else str(closure.space_id),
        site_id=str(closure.site_id),
    )


def space_kind(kind: str) -> SpaceKind:
    try:
        return SpaceKind(kind)
    except ValueError:
        return SpaceKind.OTHER


def price_rule(rule: fe.PriceRuleState) -> PriceRule | None:
    """The pricing rule, or None for an inactive rule or an unknown kind of space."""
    if not rule.active:
        return None
    if rule.space_kind is not None and rule.space_kind not in set(SpaceKind):
        return None
    return PriceRule(
        space_id=None if rule.space_id is None else str(rule.space_id),
        space_kind=None if rule.space_kind is None else SpaceKind(rule.space_kind),
        category=BookerCategory(rule.category),
        hourly_rate_ore=rule.hourly_rate_ore,
        evening_rate_ore=rule.evening_rate_ore,
        weekend_rate_ore=rule.weekend_rate_ore,
        evening_from=rule.evening_from,
    )


def conflict_ids(space: fe.SpaceState) -> list[uuid.UUID]:
    """The space and every space that cannot be used at the same time as it."""
    return [space.space_id, *(other for other in space.conflicts_with if other != space.space_id)]
