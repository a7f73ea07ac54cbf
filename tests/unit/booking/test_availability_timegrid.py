"""The wall-clock grid of slot starts and ends, across both daylight-saving nights."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from booking.domain import grid_points, is_aligned, round_inward
from samspill.intervals import Interval
from samspill.recurrence import OSLO

from .booking_builders import oslo, utc

SPRING_FORWARD = date(2027, 3, 28)
FALL_BACK = date(2026, 10, 25)


def test_grid_points_on_ordinary_and_switch_days() -> None:
    assert len(grid_points(date(2026, 9, 8), 60)) == 24
    assert len(grid_points(SPRING_FORWARD, 60)) == 23
    assert len(grid_points(FALL_BACK, 60)) == 25
    assert len(grid_points(FALL_BACK, 30)) == 50


def test_spring_forward_grid_skips_the_missing_hour() -> None:
    walls = [p.astimezone(OSLO).strftime("%H:%M") for p in grid_points(SPRING_FORWARD, 60)]
    assert walls[:4] == ["00:00", "01:00", "03:00", "04:00"]


def test_fall_back_grid_has_the_repeated_hour_twice() -> None:
    points = grid_points(FALL_BACK, 60)
    walls = [p.astimezone(OSLO).strftime("%H:%M") for p in points]
    assert walls[:5] == ["00:00", "01:00", "02:00", "02:00", "03:00"]
    assert points[3] - points[2] == timedelta(hours=1)


def test_is_aligned() -> None:
    assert is_aligned(oslo(2026, 9, 8, 18, 30), 30)
    assert not is_aligned(oslo(2026, 9, 8, 18, 15), 30)
    assert not is_aligned(oslo(2026, 9, 8, 18, 30) + timedelta(seconds=1), 30)
    assert is_aligned(utc(2026, 9, 8, 16, 30), 30)  # 18:30 in Oslo
    assert is_aligned(utc(2027, 3, 28, 1), 45)  # 03:00 summer time
    assert not is_aligned(utc(2027, 3, 28, 1), 120)  # 03:00 is not on a 2-hour grid


def test_round_inward() -> None:
    rough = Interval(oslo(2026, 9, 8, 17, 10), oslo(2026, 9, 8, 19, 50))
    assert round_inward(rough, 30) == Interval(oslo(2026, 9, 8, 17, 30), oslo(2026, 9, 8, 19, 30))
    assert round_inward(Interval(oslo(2026, 9, 8, 17, 10), oslo(2026, 9, 8, 17, 50)), 30) is None
    exact = Interval(oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 18))
    assert round_inward(exact, 30) == exact


def test_round_inward_across_the_spring_forward_gap() -> None:
    # 01:40 winter time to 03:20 summer time: the hour grid has only 03:00 inside.
    rough = Interval(utc(2027, 3, 28, 0, 40), utc(2027, 3, 28, 1, 20))
    assert round_inward(rough, 60) is None
    wider = Interval(utc(2027, 3, 28, 0, 40), utc(2027, 3, 28, 2, 20))
    assert round_inward(wider, 60) == Interval(utc(2027, 3, 28, 1), utc(2027, 3, 28, 2))


DAYS = st.sampled_from([SPRING_FORWARD, FALL_BACK, date(2026, 9, 8)])


@given(DAYS, st.integers(0, 26 * 60), st.integers(1, 12 * 60), st.sampled_from([15, 30, 45, 60]))
def test_round_inward_is_the_largest_aligned_interval_inside(
    day: date, offset: int, length: int, step: int
) -> None:
    # In UTC, so the minutes added are elapsed time: Oslo wall-clock arithmetic would make
    # 02:00 + 60 min on the spring-forward night the same instant as its start.
    midnight = oslo(day.year, day.month, day.day).astimezone(UTC)
    start = midnight + timedelta(minutes=offset) - timedelta(hours=1)
    rough = Interval(start, start + timedelta(minutes=length))
    rounded = round_inward(rough, step)
    inside = [
        p
        for d in (day - timedelta(days=1), day, day + timedelta(days=1))
        for p in grid_points(d, step)
        if rough.start <= p <= rough.end
    ]
    if len(inside) < 2:
        assert rounded is None
        return
    assert rounded == Interval(min(inside), max(inside))
    assert is_aligned(rounded.start, step)
    assert is_aligned(rounded.end, step)
