"""Rows to the full states the events carry and the API answers with."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal, cast
from uuid import UUID

from facilities.domain import (
    BookingRules,
    OneOffWindow,
    ReleaseWindow,
    WeeklyWindow,
    WhoMayBook,
)
from facilities.models import (
    ClosureRow,
    EquipmentUnit,
    ItemType,
    PriceRuleRow,
    Site,
    Space,
    WindowRow,
)
from samspill.events.facilities import (
    Accessibility,
    BookingRulesState,
    ClosureState,
    ItemTypeState,
    PriceRuleState,
    SiteContact,
    SiteState,
    SpaceState,
    UnitState,
    WindowState,
)

ClosureReasonText = Literal["holiday", "exam", "maintenance", "own_event", "emergency"]
CategoryText = Literal["children_youth", "non_profit", "commercial", "private"]
ConditionText = Literal["ok", "damaged", "retired"]


def site_state(site: Site) -> SiteState:
    return SiteState(
        site_id=site.id,
        kind=site.kind,
        name=site.name,
        address=site.address,
        district=site.district,
        latitude=site.latitude,
        longitude=site.longitude,
        contact=SiteContact.model_validate(site.contact),
        accessibility=Accessibility.model_validate(site.accessibility),
        closes_on_public_holidays=site.closes_on_public_holidays,
        lending_reservation_days=site.lending_reservation_days,
    )


def booking_rules(space: Space) -> BookingRules:
    stored = dict(space.rules)
    stored["who_may_book"] = WhoMayBook(stored.get("who_may_book", WhoMayBook.ORGANISATIONS))
    return BookingRules(**stored)


def rules_state(rules: BookingRules) -> BookingRulesState:
    return BookingRulesState(
        min_minutes=rules.min_minutes,
        max_minutes=rules.max_minutes,
        granularity_minutes=rules.granularity_minutes,
        horizon_days=rules.horizon_days,
        buffer_minutes=rules.buffer_minutes,
        cancellation_deadline_hours=rules.cancellation_deadline_hours,
        approval_required=rules.approval_required,
        who_may_book=rules.who_may_book.value,
    )


def space_state(space: Space, conflicts_with: Iterable[UUID]) -> SpaceState:
    return SpaceState(
        space_id=space.id,
        site_id=space.site_id,
        name=space.name,
        kind=space.kind,
        capacity=space.capacity,
        area_m2=space.area_m2,
        features=list(space.features),
        activities=list(space.activities),
        parent_id=space.parent_id,
        conflicts_with=sorted(conflicts_with, key=str),
        rules=rules_state(booking_rules(space)),
        retired=space.retired,
    )


def release_window(row: WindowRow) -> ReleaseWindow:
    if row.kind == "one_off":
        return OneOffWindow(row.valid_from, row.start_time, row.end_time)
    return WeeklyWindow(
        weekdays=frozenset(row.weekdays),
        start=row.start_time,
        end=row.end_time,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        withdrawn_dates=frozenset(date.fromisoformat(day) for day in row.withdrawn_dates),
    )


def window_state(row: WindowRow) -> WindowState:
    return WindowState(
        window_id=row.id,
        space_id=row.space_id,
        site_id=row.site_id,
        kind="one_off" if row.kind == "one_off" else "weekly",
        weekdays=sorted(row.weekdays),
        start_time=row.start_time,
        end_time=row.end_time,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        withdrawn_dates=sorted(date.fromisoformat(day) for day in row.withdrawn_dates),
        withdrawn=row.withdrawn,
        time_zone=row.time_zone,
    )


def closure_state(row: ClosureRow) -> ClosureState:
    return ClosureState(
        closure_id=row.id,
        site_id=row.site_id,
        space_id=row.space_id,
        start=row.starts_at,
        end=row.ends_at,
        reason=cast(ClosureReasonText, row.reason),
        note=row.note,
    )


def price_rule_state(row: PriceRuleRow) -> PriceRuleState:
    return PriceRuleState(
        rule_id=row.id,
        space_id=row.space_id,
        space_kind=row.space_kind,
        category=cast(CategoryText, row.category),
        hourly_rate_ore=row.hourly_rate_ore,
        evening_rate_ore=row.evening_rate_ore,
        weekend_rate_ore=row.weekend_rate_ore,
        evening_from=row.evening_from,
        active=row.active,
    )


def item_type_state(row: ItemType) -> ItemTypeState:
    return ItemTypeState(
        item_type_id=row.id,
        centre_id=row.centre_id,
        name=row.name,
        category=row.category,
        variant=row.variant,
        age_min=row.age_min,
        age_max=row.age_max,
        max_loan_days=row.max_loan_days,
        image_url=row.image_url,
        retired=row.retired,
    )


def unit_state(row: EquipmentUnit) -> UnitState:
    return UnitState(
        unit_id=row.id,
        item_type_id=row.item_type_id,
        centre_id=row.centre_id,
        label=row.label,
        condition=cast(ConditionText, row.condition),
        notes=row.notes,
    )
