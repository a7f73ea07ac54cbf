"""Condition of loan equipment units."""

from __future__ import annotations

from facilities.domain.enums import UnitCondition
from samspill.errors import RuleViolation


def is_lendable(condition: UnitCondition) -> bool:
    return condition is UnitCondition.OK


def change_condition(current: UnitCondition, new: UnitCondition) -> UnitCondition:
    """A damaged unit can be repaired; a retired unit stays retired."""
    if current is UnitCondition.RETIRED and new is not UnitCondition.RETIRED:
        raise RuleViolation(
            "A retired unit cannot be taken back into use.",
            "En utrangert enhet kan ikke tas i bruk igjen.",
        )
    return new
