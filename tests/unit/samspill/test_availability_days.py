"""A space's time worked out one local day at a time and joined over a period gives exactly
what the whole period gives: free slots (stretches across midnight, the horizon and the time
already passed included), released and closed time, on ordinary and daylight-saving days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.availability import (
    DayTime,
    WindowView,
    days_time,
    free_slots,
    join_days,
    local_day,
    released_time,
    slots_over_days,
)
from samspill.booking_rules import BookingRules
from samspill.intervals import Interval, intersect, merge
from samspill.recurrence import OSLO, local_dates

# Mondays: an ordinary week and the weeks holding the spring and autumn clock changes.
WEEKS = (date(2026, 9, 7), date(2026, 3, 23), date(2026, 10, 19))
STEP = timedelta(minutes=5)


def midnight(day: date) -> datetime:
    return local_day(day).start


@st.composite
def walls(draw: st.DrawFn) -> tuple[time, time]:
    """A window's wall times; 00:00 as the end is the midnight ending the day, and the spring
    gap (02:00–03:00) is as likely as any other hour."""
    start = draw(st.integers(0, 23 * 4)) * 15
    end = draw(st.integers(start // 15 + 1, 24 * 4)) * 15
    return time(start // 60, start % 60), time(0) if end == 24 * 60 else time(end // 60, end % 60)


@st.composite
def windows(draw: st.DrawFn, week: date) -> list[WindowView]:
    found = []
    for number in range(draw(st.integers(0, 4))):
        start, end = draw(walls())
        first = week + timedelta(days=draw(st.integers(-3, 6)))
        found.append(
            WindowView(
                f"w-{number}",
                "space",
                frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
                start,
                end,
                first,
                first + timedelta(days=draw(st.integers(0, 14))),
                frozenset({week + timedelta(days=draw(st.integers(0, 6)))})
                if draw(st.booleans())
                else frozenset(),
            )
        )
    return found


@st.composite
def intervals(draw: st.DrawFn, week: date, longest_steps: int) -> Interval:
    # Steps of real time, so no interval is empty on the spring-forward night.
    first = midnight(week - timedelta(days=1)).astimezone(UTC)
    start = first + draw(st.integers(0, 9 * 24 * 12)) * STEP
    return Interval(start, start + draw(st.integers(1, longest_steps)) * STEP)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    week = draw(st.sampled_from(WEEKS))
    rules = BookingRules(
        min_minutes=draw(st.sampled_from([15, 30, 60, 120])),
        max_minutes=24 * 60,
        granularity_minutes=draw(st.sampled_from([15, 30, 45, 60])),
        horizon_days=draw(st.sampled_from([0, 1, 3, 400])),
        buffer_minutes=draw(st.sampled_from([0, 10, 15, 30])),
        cancellation_deadline_hours=24,
    )
    # Any instant of the week, to the second: a period need not start or end at midnight.
    start = midnight(week).astimezone(UTC) + timedelta(seconds=draw(st.integers(0, 7 * 86400)))
    period = Interval(start, start + timedelta(seconds=draw(st.integers(1, 7 * 86400))))
    now = (
        None
        if draw(st.booleans())
        else period.start + timedelta(seconds=draw(st.integers(-2 * 86400, 8 * 86400)))
    )
    return {
        "rules": rules,
        "period": period,
        "windows": draw(windows(week)),
        "closed": [draw(intervals(week, 2 * 24 * 12)) for _ in range(draw(st.integers(0, 3)))],
        "booked": [draw(intervals(week, 6 * 12)) for _ in range(draw(st.integers(0, 10)))],
        "min_minutes": draw(st.sampled_from([0, 30, 90, 240])),
        "now": now,
    }


def days_of(case: dict[str, object]) -> list[DayTime]:
    period = case["period"]
    assert isinstance(period, Interval)
    return days_time(
        case["rules"],  # type: ignore[arg-type]
        local_dates(period),
        case["windows"],  # type: ignore[arg-type]
        case["closed"],  # type: ignore[arg-type]
        case["booked"],  # type: ignore[arg-type]
    )


def joined(parts: list[list[Interval]], period: Interval) -> list[Interval]:
    pieces = ([(i.start, i.end) for i in part] for part in parts)
    return [Interval(start, end) for start, end, _ in join_days(pieces, period.start, period.end)]


@settings(max_examples=400, deadline=None)
@given(cases())
def test_free_slots_joined_from_days_are_those_of_the_period(case: dict[str, object]) -> None:
    whole = free_slots(**case)  # type: ignore[arg-type]
    period = case["period"]
    assert isinstance(period, Interval)
    by_day = slots_over_days(
        case["rules"],  # type: ignore[arg-type]
        days_of(case),
        period,
        case["min_minutes"],  # type: ignore[arg-type]
        now=case["now"],  # type: ignore[arg-type]
    )
    assert by_day == whole


@settings(max_examples=200, deadline=None)
@given(cases())
def test_released_and_closed_time_joined_from_days_are_those_of_the_period(
    case: dict[str, object],
) -> None:
    period = case["period"]
    assert isinstance(period, Interval)
    days = days_of(case)
    assert joined([d.released for d in days], period) == released_time(case["windows"], period)  # type: ignore[arg-type]
    closed = intersect(merge(case["closed"]), [period])  # type: ignore[arg-type]
    assert joined([d.closed for d in days], period) == closed


def test_a_stretch_across_midnight_is_one_slot() -> None:
    rules = BookingRules(
        min_minutes=120,
        max_minutes=600,
        granularity_minutes=30,
        horizon_days=400,
        buffer_minutes=0,
        cancellation_deadline_hours=24,
    )
    evening = WindowView(
        "late", "space", frozenset({4}), time(22), time(0), WEEKS[0], WEEKS[0] + timedelta(days=14)
    )
    night = WindowView(
        "night", "space", frozenset({5}), time(0), time(1), WEEKS[0], WEEKS[0] + timedelta(days=14)
    )
    friday = WEEKS[0] + timedelta(days=4)
    period = Interval(midnight(friday), midnight(friday + timedelta(days=2)))
    days = days_time(rules, local_dates(period), [evening, night], [], [])
    slots = slots_over_days(rules, days, period)
    # Neither day alone holds two hours; joined they make one slot of three.
    assert [(s.start.astimezone(OSLO).time(), s.end.astimezone(OSLO).time()) for s in slots] == [
        (time(22), time(1))
    ]
    assert slots == free_slots(rules, period, [evening, night], [], [])


def test_a_piece_uncut_is_handed_back_with_its_stretch() -> None:
    first, second = (1, 5, "a"), (8, 10, "b")
    assert join_days([[first], [second]], 0, 20) == [(1, 5, first), (8, 10, second)]
    assert join_days([[first], [second]], 2, 9) == [(2, 5, None), (8, 9, None)]
    assert join_days([[(1, 5, "a")], [(5, 7, "c")]], 0, 20) == [(1, 7, None)]
