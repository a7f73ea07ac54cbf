from __future__ import annotations

import pytest

from facilities.domain import UnitCondition, change_condition, is_lendable
from samspill.errors import RuleViolation


def test_only_units_in_good_condition_are_lendable() -> None:
    assert is_lendable(UnitCondition.OK)
    assert not is_lendable(UnitCondition.DAMAGED)
    assert not is_lendable(UnitCondition.RETIRED)


def test_damaged_unit_can_be_repaired_or_retired() -> None:
    assert change_condition(UnitCondition.DAMAGED, UnitCondition.OK) is UnitCondition.OK
    assert change_condition(UnitCondition.DAMAGED, UnitCondition.RETIRED) is UnitCondition.RETIRED


def test_retired_unit_stays_retired() -> None:
    with pytest.raises(RuleViolation, match="retired"):
        change_condition(UnitCondition.RETIRED, UnitCondition.OK)
