from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samspill.intervals import Interval, intersect, merge, subtract, total_duration

OSLO = ZoneInfo("Europe/Oslo")
T0 = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def span(start: int, end: int) -> Interval:
    return Interval(at(start), at(end))


@st.composite
def intervals(draw: st.DrawFn) -> Interval:
    start = draw(st.integers(min_value=0, max_value=2_000))
    length = draw(st.integers(min_value=1, max_value=300))
    return span(start, start + length)


interval_lists = st.lists(intervals(), max_size=12)


def covers(pieces: list[Interval], minute: int) -> bool:
    return any(p.contains_instant(at(minute) + timedelta(seconds=30)) for p in pieces)


# --- construction -------------------------------------------------------------------------


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2026, 1, 1, 10), at(10))


def test_naive_end_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(at(0), datetime(2026, 1, 5, 10))


def test_the_spring_forward_gap_is_no_span() -> None:
    """Local 02:00 and 03:00 on the night the clocks go forward are one instant."""
    with pytest.raises(ValueError, match="after start"):
        Interval(datetime(2027, 3, 28, 2, tzinfo=OSLO), datetime(2027, 3, 28, 3, tzinfo=OSLO))


@pytest.mark.parametrize(("start", "end"), [(10, 10), (10, 5)])
def test_end_must_be_after_start(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="after start"):
        span(start, end)


def test_intervals_in_different_zones_compare_as_instants() -> None:
    oslo = Interval(datetime(2026, 1, 5, 18, tzinfo=OSLO), datetime(2026, 1, 5, 20, tzinfo=OSLO))
    utc = Interval(datetime(2026, 1, 5, 17, tzinfo=UTC), datetime(2026, 1, 5, 19, tzinfo=UTC))
    assert oslo == utc
    assert oslo.to_utc().start.tzinfo is UTC


def test_duration_across_dst_uses_elapsed_time() -> None:
    # Same tzinfo on both ends: naive subtraction would say 3 hours; 4 have elapsed.
    night = Interval(
        datetime(2026, 10, 25, 1, 0, tzinfo=OSLO), datetime(2026, 10, 25, 4, 0, tzinfo=OSLO)
    )
    assert night.duration == timedelta(hours=4)


# --- predicates ---------------------------------------------------------------------------


def test_touching_intervals_do_not_overlap() -> None:
    assert not span(0, 60).overlaps(span(60, 120))
    assert not span(60, 120).overlaps(span(0, 60))


def test_overlap_and_contains() -> None:
    assert span(0, 60).overlaps(span(59, 61))
    assert span(0, 120).contains(span(30, 60))
    assert span(0, 120).contains(span(0, 120))
    assert not span(0, 60).contains(span(30, 90))


def test_padded_adds_buffers_on_both_sides() -> None:
    assert span(60, 120).padded(timedelta(minutes=15)) == span(45, 135)
    assert span(60, 120).padded(timedelta(minutes=10), timedelta(0)) == span(50, 120)


# --- set operations -----------------------------------------------------------------------


def test_merge_joins_overlapping_and_adjacent() -> None:
    assert merge([span(60, 90), span(0, 30), span(30, 45), span(80, 100)]) == [
        span(0, 45),
        span(60, 100),
    ]


def test_subtract_cuts_holes() -> None:
    assert subtract([span(0, 300)], [span(60, 120), span(180, 200)]) == [
        span(0, 60),
        span(120, 180),
        span(200, 300),
    ]


def test_subtract_everything_leaves_nothing() -> None:
    assert subtract([span(10, 20)], [span(0, 30)]) == []


def test_intersect_examples() -> None:
    assert intersect([span(0, 100), span(200, 300)], [span(50, 250)]) == [
        span(50, 100),
        span(200, 250),
    ]
    assert intersect([span(0, 10)], [span(10, 20)]) == []


@given(interval_lists)
def test_merge_is_idempotent_sorted_and_disjoint(items: list[Interval]) -> None:
    merged = merge(items)
    assert merge(merged) == merged
    for left, right in pairwise(merged):
        assert left.end < right.start


@given(interval_lists)
def test_merge_covers_exactly_the_same_minutes(items: list[Interval]) -> None:
    merged = merge(items)
    for minute in range(0, 2_300, 7):
        assert covers(merged, minute) == covers(items, minute)


@given(interval_lists, interval_lists)
def test_subtract_never_overlaps_cuts_and_stays_within_base(
    base: list[Interval], cuts: list[Interval]
) -> None:
    rest = subtract(base, cuts)
    assert not any(r.overlaps(c) for r in rest for c in cuts)
    assert all(any(b.contains(r) for b in merge(base)) for r in rest)


@given(interval_lists, interval_lists)
def test_subtract_and_intersect_partition_the_base(
    base: list[Interval], cuts: list[Interval]
) -> None:
    rest, common = subtract(base, cuts), intersect(base, cuts)
    assert total_duration(rest) + total_duration(common) == total_duration(base)
    assert merge(rest + common) == merge(base)


@given(interval_lists, interval_lists)
def test_intersect_is_commutative_and_within_both(a: list[Interval], b: list[Interval]) -> None:
    common = intersect(a, b)
    assert common == intersect(b, a)
    for piece in common:
        assert any(x.contains(piece) for x in merge(a))
        assert any(y.contains(piece) for y in merge(b))


@given(interval_lists, interval_lists)
def test_union_duration_identity(a: list[Interval], b: list[Interval]) -> None:
    union = total_duration(a + b)
    assert union == total_duration(a) + total_duration(b) - total_duration(intersect(a, b))
