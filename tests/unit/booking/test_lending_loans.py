"""Equipment loans: statuses, request rules, unit allocation, loan periods and due dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.domain import (
    InsufficientStock,
    ItemTypeView,
    LimitExceeded,
    LoanStatus,
    LoanView,
    TransitionNotAllowed,
    allocate_units,
    check_loan_request,
    check_resident_limits,
    check_stock,
    detect_due,
    is_loan_active,
    loan_period,
    transition_loan,
)
from samspill.errors import RuleViolation
from samspill.recurrence import OSLO

from .booking_builders import oslo, utc

L = LoanStatus
ALLOWED = {
    (L.RESERVED, L.PICKED_UP),
    (L.RESERVED, L.CANCELLED),
    (L.RESERVED, L.NO_SHOW),
    (L.PICKED_UP, L.RETURNED),
    (L.PICKED_UP, L.OVERDUE),
    (L.OVERDUE, L.RETURNED),
}


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in L for t in L])
def test_loan_transitions(current: LoanStatus, target: LoanStatus) -> None:
    if (current, target) in ALLOWED:
        assert transition_loan(current, target) is target
    else:
        with pytest.raises(TransitionNotAllowed):
            transition_loan(current, target)


def test_loans_holding_units() -> None:
    assert {s for s in L if is_loan_active(s)} == {L.RESERVED, L.PICKED_UP, L.OVERDUE}


SKIS = "kids-skis"
SKATES = "skates"
TENT = "tent"
ITEM_TYPES = {
    SKIS: ItemTypeView(centre_id="bua-strommen", max_loan_days=14, name="Barneski"),
    SKATES: ItemTypeView(centre_id="bua-strommen", max_loan_days=7),
    TENT: ItemTypeView(centre_id="bua-fetsund", max_loan_days=7),
    "old-sled": ItemTypeView(centre_id="bua-strommen", max_loan_days=7, retired=True),
}
TODAY = date(2027, 2, 10)


def request(
    lines: list[tuple[str, int]],
    pickup: date = date(2027, 2, 15),
    return_date: date = date(2027, 2, 20),
    window: int = 30,
) -> str:
    return check_loan_request(lines, ITEM_TYPES, pickup, return_date, TODAY, window)


def test_valid_request_returns_its_centre() -> None:
    assert request([(SKIS, 2), (SKATES, 1)]) == "bua-strommen"
    assert request([(SKIS, 1)], pickup=TODAY, return_date=TODAY) == "bua-strommen"
    last_pickup = TODAY + timedelta(days=30)
    assert request([(SKIS, 1)], pickup=last_pickup, return_date=last_pickup) == "bua-strommen"


@pytest.mark.parametrize(
    ("lines", "pickup", "return_date", "message"),
    [
        ([], date(2027, 2, 15), date(2027, 2, 20), "at least one item"),
        ([(SKIS, 0)], date(2027, 2, 15), date(2027, 2, 20), "at least 1"),
        ([(SKIS, -2)], date(2027, 2, 15), date(2027, 2, 20), "at least 1"),
        ([(SKIS, 1)], date(2027, 2, 15), date(2027, 2, 14), "return date"),
        ([(SKIS, 1)], date(2027, 2, 9), date(2027, 2, 12), "has passed"),
        ([(SKIS, 1)], date(2027, 3, 13), date(2027, 3, 14), "30 days ahead"),
        ([(SKIS, 1)], date(2027, 2, 15), date(2027, 3, 2), "at most 14 days, not 15"),
        ([(SKIS, 1), (SKATES, 1)], date(2027, 2, 15), date(2027, 2, 23), "at most 7 days"),
        ([("unicycle", 1)], date(2027, 2, 15), date(2027, 2, 20), "Unknown item type"),
        ([("old-sled", 1)], date(2027, 2, 15), date(2027, 2, 20), "no longer lent"),
        ([(SKIS, 1), (TENT, 1)], date(2027, 2, 15), date(2027, 2, 20), "same equipment centre"),
    ],
)
def test_invalid_requests(
    lines: list[tuple[str, int]], pickup: date, return_date: date, message: str
) -> None:
    with pytest.raises(RuleViolation, match=message) as caught:
        request(lines, pickup, return_date)
    assert caught.value.detail_nb


def test_allocate_units_takes_the_first_free_units() -> None:
    free = {SKIS: ["s1", "s2", "s3"], SKATES: ["k1"]}
    assert allocate_units([(SKIS, 2), (SKATES, 1)], free) == {SKIS: ["s1", "s2"], SKATES: ["k1"]}


def test_allocate_units_adds_up_repeated_lines() -> None:
    free = {SKIS: ["s1", "s2", "s3"]}
    assert allocate_units([(SKIS, 1), (SKIS, 2)], free) == {SKIS: ["s1", "s2", "s3"]}
    with pytest.raises(InsufficientStock) as caught:
        allocate_units([(SKIS, 2), (SKIS, 2)], free)
    assert (caught.value.requested, caught.value.available) == (4, 3)


def test_allocate_units_is_all_or_nothing() -> None:
    free = {SKIS: ["s1", "s2"], SKATES: []}
    with pytest.raises(InsufficientStock) as caught:
        allocate_units([(SKIS, 1), (SKATES, 1)], free)
    assert caught.value.item_type_id == SKATES
    assert caught.value.status == 409
    with pytest.raises(InsufficientStock):
        allocate_units([(TENT, 1)], free)


@given(
    wanted=st.dictionaries(st.sampled_from("abcde"), st.integers(1, 6), min_size=1),
    stock=st.dictionaries(st.sampled_from("abcde"), st.integers(0, 6)),
)
def test_allocation_property(wanted: dict[str, int], stock: dict[str, int]) -> None:
    free = {t: [f"{t}{i}" for i in range(n)] for t, n in stock.items()}
    lines = list(wanted.items())
    if all(stock.get(t, 0) >= n for t, n in wanted.items()):
        allocated = allocate_units(lines, free)
        assert {t: len(units) for t, units in allocated.items()} == wanted
        for t, units in allocated.items():
            assert set(units) <= set(free[t])
            assert len(set(units)) == len(units)
    else:
        with pytest.raises(InsufficientStock):
            allocate_units(lines, free)


@given(
    wanted=st.dictionaries(st.sampled_from("abcde"), st.integers(1, 6), min_size=1),
    stock=st.dictionaries(st.sampled_from("abcde"), st.integers(0, 6)),
)
def test_counted_stock_refuses_exactly_what_allocation_refuses(
    wanted: dict[str, int], stock: dict[str, int]
) -> None:
    """The refusal decided on counts alone is the one allocating the units would give."""
    free = {t: [f"{t}{i}" for i in range(n)] for t, n in stock.items()}
    lines = list(wanted.items())
    if all(stock.get(t, 0) >= n for t, n in wanted.items()):
        check_stock(wanted, stock)
        return
    with pytest.raises(InsufficientStock) as allocating:
        allocate_units(lines, free)
    with pytest.raises(InsufficientStock) as counting:
        check_stock(wanted, stock)
    refused, counted = allocating.value, counting.value
    assert (counted.item_type_id, counted.requested, counted.available, counted.detail) == (
        refused.item_type_id,
        refused.requested,
        refused.available,
        refused.detail,
    )


def test_counted_stock_names_the_first_short_item_type() -> None:
    views = {SKATES: ItemTypeView(centre_id="c", max_loan_days=7, name="Skøyter 38")}
    with pytest.raises(InsufficientStock) as caught:
        check_stock({SKIS: 1, SKATES: 2, TENT: 1}, {SKIS: 1, SKATES: 1}, views)
    assert (caught.value.item_type_id, caught.value.available) == (SKATES, 1)
    assert "Skøyter 38" in caught.value.detail


def test_loan_period_runs_from_local_midnight_to_local_midnight() -> None:
    period = loan_period(date(2027, 2, 15), date(2027, 2, 20))
    assert period.start == oslo(2027, 2, 15)
    assert period.end == oslo(2027, 2, 21)
    assert period.start.tzinfo is not None
    assert period.start.utcoffset() == timedelta(0)


def test_loan_period_on_dst_weekends() -> None:
    assert loan_period(date(2027, 3, 28), date(2027, 3, 28)).duration == timedelta(hours=23)
    assert loan_period(date(2026, 10, 25), date(2026, 10, 25)).duration == timedelta(hours=25)
    spring = loan_period(date(2027, 3, 27), date(2027, 3, 29))
    assert (spring.start, spring.end) == (utc(2027, 3, 26, 23), utc(2027, 3, 29, 22))
    autumn = loan_period(date(2026, 10, 24), date(2026, 10, 26))
    assert (autumn.start, autumn.end) == (utc(2026, 10, 23, 22), utc(2026, 10, 26, 23))


@given(st.dates(date(2026, 1, 1), date(2028, 12, 31)), st.integers(0, 60))
def test_loan_period_covers_whole_local_days(pickup: date, days: int) -> None:
    period = loan_period(pickup, pickup + timedelta(days=days))
    start, end = period.start.astimezone(OSLO), period.end.astimezone(OSLO)
    assert (start.date(), start.time().hour, start.time().minute) == (pickup, 0, 0)
    assert (end.date(), end.hour, end.minute) == (pickup + timedelta(days=days + 1), 0, 0)
    hours = period.duration / timedelta(hours=1)
    assert 24 * (days + 1) - 1 <= hours <= 24 * (days + 1) + 1


def loan(loan_id: str, status: LoanStatus, pickup: date, return_date: date) -> LoanView:
    return LoanView(loan_id=loan_id, status=status, pickup=pickup, return_date=return_date)


def test_detect_due() -> None:
    loans = [
        loan("waiting", L.RESERVED, date(2027, 2, 15), date(2027, 2, 20)),
        loan("not-fetched", L.RESERVED, date(2027, 2, 14), date(2027, 2, 20)),
        loan("out", L.PICKED_UP, date(2027, 2, 10), date(2027, 2, 15)),
        loan("late", L.PICKED_UP, date(2027, 2, 10), date(2027, 2, 14)),
        loan("already-overdue", L.OVERDUE, date(2027, 2, 1), date(2027, 2, 3)),
        loan("returned", L.RETURNED, date(2027, 2, 1), date(2027, 2, 3)),
    ]
    no_shows, overdues = detect_due(loans, oslo(2027, 2, 15, 8))
    assert [x.loan_id for x in no_shows] == ["not-fetched"]
    assert [x.loan_id for x in overdues] == ["late"]


def test_detect_due_at_the_edge_of_the_day_across_dst() -> None:
    fetch_on_dst_day = loan("l", L.RESERVED, date(2027, 3, 28), date(2027, 3, 30))
    just_before: datetime = utc(2027, 3, 28, 22) - timedelta(seconds=1)  # 23:59:59 summer time
    assert detect_due([fetch_on_dst_day], just_before) == ([], [])
    assert detect_due([fetch_on_dst_day], utc(2027, 3, 28, 22)) == ([fetch_on_dst_day], [])
    back_on_dst_day = loan("m", L.PICKED_UP, date(2026, 10, 20), date(2026, 10, 25))
    assert detect_due([back_on_dst_day], utc(2026, 10, 25, 22, 59)) == ([], [])
    assert detect_due([back_on_dst_day], utc(2026, 10, 25, 23)) == ([], [back_on_dst_day])


def test_resident_limits() -> None:
    check_resident_limits(active_loans=1, active_units=3, new_units=2, max_loans=2, max_units=5)
    with pytest.raises(LimitExceeded, match="2 active loans"):
        check_resident_limits(active_loans=2, active_units=0, new_units=1, max_loans=2, max_units=5)
    with pytest.raises(LimitExceeded, match="6 items") as caught:
        check_resident_limits(active_loans=0, active_units=4, new_units=2, max_loans=2, max_units=5)
    assert "grensen er 5" in caught.value.detail_nb
