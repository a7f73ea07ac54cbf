"""Price rules as the event-contract state they publish."""

from __future__ import annotations

from typing import Literal, cast

from facilities.prices.tables import PriceRuleRow
from samspill.events.facilities import PriceRuleState

CategoryText = Literal["children_youth", "non_profit", "commercial", "private"]


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
