"""The desk's pure rules: the day's lists, what may be done with a loan, the handout's swaps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.desk import (
    SwapProblem,
    desk_day,
    loan_number,
    may_pick_up,
    may_return,
    search_text,
    swaps,
)

TODAY = date(2030, 3, 12)


def loan(loan_id: str, status: str, pickup: date, back: date) -> dict[str, object]:
    return {
        "loan_id": loan_id,
        "status": status,
        "pickup_date": pickup.isoformat(),
        "return_date": back.isoformat(),
    }


def test_the_day_sorts_loans_into_today_tomorrow_and_overdue() -> None:
    day = timedelta(days=1)
    reserved = [
        loan("b", "reserved", TODAY + day, TODAY + 3 * day),
        loan("a", "reserved", TODAY, TODAY + day),
        loan("c", "cancelled", TODAY, TODAY + day),
    ]
    out = [loan("d", "picked_up", TODAY - day, TODAY), loan("e", "picked_up", TODAY, TODAY + day)]
    overdue = [
        loan("g", "overdue", TODAY - 5 * day, TODAY - day),
        loan("f", "overdue", TODAY - 9 * day, TODAY - 3 * day),
    ]
    found = desk_day(TODAY, reserved, out, overdue)
    assert [x["loan_id"] for x in found.pickups_today] == ["a"]
    assert [x["loan_id"] for x in found.pickups_tomorrow] == ["b"]
    assert [x["loan_id"] for x in found.returns_today] == ["d"]
    assert [x["loan_id"] for x in found.returns_tomorrow] == ["e"]
    assert [x["loan_id"] for x in found.overdue] == ["f", "g"]


def test_a_loan_is_handed_out_from_its_pickup_day_and_taken_back_while_out() -> None:
    day = timedelta(days=1)
    assert may_pick_up(loan("a", "reserved", TODAY, TODAY + day), TODAY)
    assert may_pick_up(loan("a", "reserved", TODAY - day, TODAY + day), TODAY)
    assert not may_pick_up(loan("a", "reserved", TODAY + day, TODAY + 2 * day), TODAY)
    assert not may_pick_up(loan("a", "picked_up", TODAY, TODAY + day), TODAY)
    assert may_return(loan("a", "picked_up", TODAY, TODAY))
    assert may_return(loan("a", "overdue", TODAY, TODAY))
    assert not may_return(loan("a", "reserved", TODAY, TODAY))


def test_the_loan_number_and_the_search_text() -> None:
    assert loan_number("3f2a9c1b-0000-4000-8000-000000000000") == "3F2A9C1B"
    assert search_text("  Kari   Nordmann ") == "Kari Nordmann"
    assert search_text(" k ") is None
    assert search_text("x" * 300) == "x" * 100


def test_a_handout_swaps_only_the_units_changed() -> None:
    offered = {"u1": ["u1", "s1", "s2"], "u2": ["u2", "s1", "s2"]}
    assert swaps(["u1", "u2"], {"u1": "u1", "u2": "u2"}, offered) == []
    assert swaps(["u1", "u2"], {"u2": "s2"}, offered) == [
        {"from_unit_id": "u2", "to_unit_id": "s2"}
    ]
    with pytest.raises(SwapProblem):
        swaps(["u1", "u2"], {"u1": "s1", "u2": "s1"}, offered)  # one unit twice
    with pytest.raises(SwapProblem):
        swaps(["u1"], {"u1": "elsewhere"}, offered)  # not offered


@given(
    held=st.lists(st.sampled_from(["u1", "u2", "u3"]), min_size=1, max_size=3, unique=True),
    picks=st.dictionaries(
        st.sampled_from(["u1", "u2", "u3"]), st.sampled_from(["u1", "u2", "u3", "s1", "s2"])
    ),
)
def test_swaps_hand_out_distinct_offered_units(held: list[str], picks: dict[str, str]) -> None:
    offered = {unit: [unit, "s1", "s2"] for unit in held}
    try:
        found = swaps(held, picks, offered)
    except SwapProblem:
        return
    handed = {s["from_unit_id"]: s["to_unit_id"] for s in found}
    result = [handed.get(unit, unit) for unit in held]
    assert len(set(result)) == len(result)
    assert all(to in offered[frm] and to != frm for frm, to in handed.items())
