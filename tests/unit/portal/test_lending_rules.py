"""The borrowing pages' rules: the catalogue grouped into items with sizes in reading order,
its filters, the period a visitor asks about and where a loan belongs in the list."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.lending import (
    LoanPhase,
    PeriodProblem,
    Stock,
    by_phase,
    categories,
    filter_items,
    group_items,
    may_cancel,
    phase_of,
    read_period,
    siblings,
    size_order,
    sizes_in,
)

CENTRE = str(uuid.uuid4())


def item_type(name: str, category: str, variant: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "item_type_id": str(uuid.uuid4()),
        "centre_id": CENTRE,
        "name": name,
        "category": category,
        "variant": variant,
        "age_min": 3,
        "age_max": None,
        "max_loan_days": 14,
        "retired": False,
        **extra,
    }


SKIS = [item_type("Langrennsski", "ski", v) for v in ("130 cm", "90 cm", "110 cm")]
BOOTS = [item_type("Skisko", "ski", v) for v in ("str. 31", "str. 28")]
TENT = item_type("Telt", "tur", "2 personer", max_loan_days=7, age_min=None)


def test_sizes_are_grouped_under_one_item_in_reading_order() -> None:
    items = group_items([*SKIS, *BOOTS, TENT])
    assert [(i.category, i.name) for i in items] == [
        ("ski", "Langrennsski"),
        ("ski", "Skisko"),
        ("tur", "Telt"),
    ]
    assert [s.variant for s in items[0].sizes] == ["90 cm", "110 cm", "130 cm"]
    assert items[2].max_loan_days == 7
    assert items[2].age_min is None


def test_retired_item_types_are_not_shown() -> None:
    items = group_items([*SKIS, {**TENT, "retired": True}])
    assert [i.name for i in items] == ["Langrennsski"]


def test_stock_is_attached_per_size_and_summed_per_item() -> None:
    stock = {SKIS[0]["item_type_id"]: Stock(free=2, in_stock=3)}
    stock[SKIS[1]["item_type_id"]] = Stock(free=0, in_stock=3)
    (skis,) = group_items(SKIS, stock)
    assert {s.variant: s.free for s in skis.sizes} == {"90 cm": 0, "110 cm": None, "130 cm": 2}
    assert skis.free == 2
    assert group_items([TENT])[0].free is None


def test_filter_by_category_and_size() -> None:
    items = group_items([*SKIS, *BOOTS, TENT])
    assert categories(items) == ["ski", "tur"]
    assert sizes_in(items, "ski") == ["90 cm", "110 cm", "130 cm", "str. 28", "str. 31"]
    assert sizes_in(items, "tur") == ["2 personer"]
    assert [i.name for i in filter_items(items, category="tur")] == ["Telt"]
    (boots,) = filter_items(items, category="ski", size="str. 28")
    assert boots.name == "Skisko"
    assert [s.variant for s in boots.sizes] == ["str. 28"]
    assert filter_items(items, category="tur", size="str. 28") == []
    assert len(filter_items(items)) == 3


def test_an_item_types_siblings_are_its_other_sizes_at_the_centre() -> None:
    item = siblings(SKIS[0], [*SKIS, *BOOTS, TENT])
    assert item.name == "Langrennsski"
    assert [s.variant for s in item.sizes] == ["90 cm", "110 cm", "130 cm"]
    alone = siblings(TENT, [])
    assert [s.variant for s in alone.sizes] == ["2 personer"]


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=8, unique=True))
def test_numeric_sizes_sort_by_number(numbers: list[int]) -> None:
    variants = [f"{n} cm" for n in numbers]
    assert sorted(variants, key=size_order) == [f"{n} cm" for n in sorted(numbers)]


@given(
    st.lists(
        st.tuples(st.sampled_from(["ski", "tur", "vann"]), st.sampled_from(["A", "B"]), st.text()),
        max_size=12,
    ),
    st.sampled_from([None, "ski", "tur"]),
)
def test_filtering_only_removes(rows: list[tuple[str, str, str]], category: str | None) -> None:
    items = group_items(item_type(name, cat, variant or None) for cat, name, variant in rows)
    shown = filter_items(items, category=category)
    assert all(category is None or i.category == category for i in shown)
    assert sum(len(i.sizes) for i in shown) <= sum(len(i.sizes) for i in items)
    assert sum(len(i.sizes) for i in items) == len(rows)


# --- the period -------------------------------------------------------------------------------


def test_browsing_without_dates_is_fine_but_reserving_needs_them() -> None:
    assert read_period("", "", required=False) == (None, {})
    period, problems = read_period("", "", required=True)
    assert period is None
    assert problems == {
        "pickup": PeriodProblem.PICKUP_MISSING,
        "return": PeriodProblem.RETURN_MISSING,
    }


def test_unreadable_dates_are_named() -> None:
    _, problems = read_period("9. mars", "2027-03-10", required=False)
    assert problems == {"pickup": PeriodProblem.PICKUP_INVALID}
    _, problems = read_period("2027-03-09", "", required=False)
    assert problems == {"return": PeriodProblem.RETURN_MISSING}


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(-30, 30))
def test_a_return_before_the_pickup(pickup: date, offset: int) -> None:
    back = pickup + timedelta(days=offset)
    browsed, problems = read_period(pickup.isoformat(), back.isoformat(), required=False)
    reserved, _ = read_period(pickup.isoformat(), back.isoformat(), required=True)
    if offset < 0:
        assert browsed is None
        assert problems == {"return": PeriodProblem.RETURN_BEFORE_PICKUP}
        # Reserving leaves that rule to the API, which states it in its own words.
        assert reserved is not None
        assert reserved.days == offset
    else:
        assert browsed is not None
        assert browsed.days == offset


# --- the loans --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phase", "cancellable"),
    [
        ("reserved", LoanPhase.UPCOMING, True),
        ("picked_up", LoanPhase.ACTIVE, False),
        ("overdue", LoanPhase.ACTIVE, False),
        ("returned", LoanPhase.PAST, False),
        ("cancelled", LoanPhase.PAST, False),
        ("no_show", LoanPhase.PAST, False),
    ],
)
def test_each_status_has_its_place(status: str, phase: LoanPhase, cancellable: bool) -> None:
    assert phase_of(status) is phase
    assert may_cancel(status) is cancellable


def test_loans_are_ordered_within_their_phase() -> None:
    loans = [
        {"status": "reserved", "pickup_date": "2027-03-10", "return_date": "2027-03-12"},
        {"status": "reserved", "pickup_date": "2027-03-08", "return_date": "2027-03-09"},
        {"status": "returned", "pickup_date": "2027-01-01", "return_date": "2027-01-02"},
        {"status": "cancelled", "pickup_date": "2027-02-01", "return_date": "2027-02-02"},
    ]
    phases = by_phase(loans)
    assert [loan["pickup_date"] for loan in phases[LoanPhase.UPCOMING]] == [
        "2027-03-08",
        "2027-03-10",
    ]
    assert phases[LoanPhase.ACTIVE] == []
    assert [loan["status"] for loan in phases[LoanPhase.PAST]] == ["cancelled", "returned"]
