"""free_slots: released windows minus closures and busy time, on the grid; and its properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from booking.domain import (
    BusyInterval,
    ClosureView,
    SpaceView,
    WindowView,
    check_booking,
    free_slots,
    grid_points,
    is_aligned,
)
from samspill.errors import Conflict, RuleViolation
from samspill.intervals import Interval, merge
from samspill.recurrence import OSLO

from .booking_builders import (
    GYM_PART,
    OTHER_SPACE,
    SITE,
    busy,
    closure,
    evening_window,
    gym,
    oslo,
    with_rules,
)

TUESDAY_PERIOD = Interval(oslo(2026, 9, 8), oslo(2026, 9, 9))


def slots_on_tuesday(
    space: SpaceView | None = None,
    closures: list[ClosureView] | None = None,
    taken: list[BusyInterval] | None = None,
    min_minutes: int = 0,
) -> list[tuple[str, str]]:
    slots = free_slots(
        space or gym(),
        TUESDAY_PERIOD,
        [evening_window()],
        closures or [],
        taken or [],
        min_minutes,
    )
    return [(f"{s.start.astimezone(OSLO):%H:%M}", f"{s.end.astimezone(OSLO):%H:%M}") for s in slots]


def at(hour: int, minute: int = 0) -> datetime:
    return oslo(2026, 9, 8, hour, minute)


def test_whole_window_is_free_when_nothing_is_booked() -> None:
    assert slots_on_tuesday() == [("17:00", "22:00")]


def test_no_slots_on_days_without_windows() -> None:
    friday = Interval(oslo(2026, 9, 11), oslo(2026, 9, 12))
    assert free_slots(gym(), friday, [evening_window()], [], []) == []


def test_busy_time_of_the_conflict_set_is_cut_out() -> None:
    taken = [
        busy(Interval(at(18), at(19))),
        busy(Interval(at(20), at(20, 30)), space_id=GYM_PART, booking_id="b-2"),
        busy(Interval(at(17), at(22)), space_id=OTHER_SPACE, booking_id="b-3"),
    ]
    assert slots_on_tuesday(taken=taken) == [
        ("17:00", "18:00"),
        ("19:00", "20:00"),
        ("20:30", "22:00"),
    ]


def test_busy_time_is_widened_by_the_buffer_and_rounded_to_the_grid() -> None:
    space = with_rules(gym(), buffer_minutes=10, min_minutes=30)
    taken = [busy(Interval(at(18), at(19)))]
    # Busy 17:50–19:10 with the buffer; the 30-minute grid leaves 17:00–17:30, 19:30–22:00.
    assert slots_on_tuesday(space=space, taken=taken) == [("17:00", "17:30"), ("19:30", "22:00")]


def test_short_slots_are_dropped() -> None:
    taken = [busy(Interval(at(17, 30), at(18))), busy(Interval(at(19), at(21, 30)))]
    assert slots_on_tuesday(taken=taken) == [("18:00", "19:00")]
    assert slots_on_tuesday(taken=taken, min_minutes=90) == []
    space = with_rules(gym(), min_minutes=30)
    assert slots_on_tuesday(space=space, taken=taken) == [
        ("17:00", "17:30"),
        ("18:00", "19:00"),
        ("21:30", "22:00"),
    ]


@pytest.mark.parametrize(("space_id", "site_id"), [("gym", SITE), (GYM_PART, SITE), (None, SITE)])
def test_closures_are_cut_out(space_id: str | None, site_id: str) -> None:
    shut = closure(Interval(at(16), at(19, 45)), space_id, site_id)
    assert slots_on_tuesday(closures=[shut]) == [("20:00", "22:00")]


@pytest.mark.parametrize(("space_id", "site_id"), [(OTHER_SPACE, SITE), (None, "school-2")])
def test_closures_elsewhere_are_ignored(space_id: str | None, site_id: str) -> None:
    shut = closure(Interval(at(16), at(19, 45)), space_id, site_id)
    assert slots_on_tuesday(closures=[shut]) == [("17:00", "22:00")]


def test_retired_space_has_no_slots() -> None:
    assert slots_on_tuesday(space=gym(retired=True)) == []


def test_slots_are_clipped_to_the_period_and_to_now() -> None:
    period = Interval(at(18, 10), oslo(2026, 9, 10))
    slots = free_slots(gym(), period, [evening_window()], [], [], now=at(19, 5))
    assert slots[0] == Interval(at(19, 30), at(22))
    assert slots[1] == Interval(oslo(2026, 9, 9, 17), oslo(2026, 9, 9, 22))
    assert free_slots(gym(), period, [evening_window()], [], [], now=oslo(2027, 1, 1)) == []


def test_slots_beyond_the_horizon_are_left_out_when_now_is_given() -> None:
    space = with_rules(gym(), horizon_days=1)
    period = Interval(oslo(2026, 9, 7), oslo(2026, 9, 11))
    slots = free_slots(space, period, [evening_window()], [], [], now=oslo(2026, 9, 7, 19))
    assert slots == [
        Interval(oslo(2026, 9, 7, 19), oslo(2026, 9, 7, 22)),
        Interval(oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 19)),
    ]


def test_night_window_across_spring_forward() -> None:
    window = WindowView.one_off("w", "gym", date(2027, 3, 28), time(0), time(6))
    space = with_rules(gym(), granularity_minutes=60)
    period = Interval(oslo(2027, 3, 27), oslo(2027, 3, 29))
    taken = [busy(Interval(oslo(2027, 3, 28, 1), oslo(2027, 3, 28, 4)))]
    slots = free_slots(space, period, [window], [], taken)
    # The booking 01:00–04:00 lasts two hours (02:00–03:00 does not exist that night).
    assert taken[0].interval.duration == timedelta(hours=2)
    assert slots == [
        Interval(oslo(2027, 3, 28, 0), oslo(2027, 3, 28, 1)),
        Interval(oslo(2027, 3, 28, 4), oslo(2027, 3, 28, 6)),
    ]


# --- properties ---------------------------------------------------------------------------

WEEKS = [oslo(2026, 10, 19), oslo(2027, 3, 22), oslo(2026, 9, 7)]  # two DST weeks, one plain
STEP = timedelta(minutes=5)
WEEK_STEPS = 7 * 24 * 12


def windows_for(space_id: str) -> list[WindowView]:
    return [
        evening_window(space_id=space_id),
        WindowView(
            "w-sunday-night",
            space_id,
            frozenset({6}),
            time(0),
            time(6),
            date(2026, 8, 1),
            date(2027, 6, 30),
        ),
        WindowView(
            "w-saturday",
            space_id,
            frozenset({5}),
            time(9),
            time(12),
            date(2026, 8, 1),
            date(2027, 6, 30),
        ),
        WindowView(
            "w-saturday-late",
            space_id,
            frozenset({5}),
            time(12),
            time(15),
            date(2026, 8, 1),
            date(2027, 6, 30),
        ),
    ]


@st.composite
def intervals_in(draw: st.DrawFn, week_start: datetime) -> Interval:
    start = draw(st.integers(0, WEEK_STEPS - 1))
    length = draw(st.integers(1, 8 * 12))
    # Steps of real time (through UTC): wall-clock steps would put two ends on one instant
    # in the spring-forward gap.
    first = week_start.astimezone(UTC)
    return Interval(first + start * STEP, first + (start + length) * STEP)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[SpaceView, Interval, list[ClosureView], list[BusyInterval]]:
    week_start = draw(st.sampled_from(WEEKS))
    space = with_rules(
        gym(),
        granularity_minutes=draw(st.sampled_from([15, 30, 45, 60])),
        min_minutes=draw(st.sampled_from([30, 60, 90])),
        max_minutes=300,
        buffer_minutes=draw(st.sampled_from([0, 10, 15, 30])),
        horizon_days=400,
    )
    closures = [
        closure(
            draw(intervals_in(week_start)),
            draw(st.sampled_from([None, "gym", GYM_PART, OTHER_SPACE])),
            draw(st.sampled_from([SITE, "school-2"])),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    taken = [
        busy(
            draw(intervals_in(week_start)),
            draw(st.sampled_from(["gym", GYM_PART, OTHER_SPACE])),
            f"b-{i}",
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    period = Interval(week_start, week_start + timedelta(days=7))
    return space, period, closures, taken


def released(space: SpaceView, period: Interval) -> list[Interval]:
    return merge(o for w in windows_for(space.space_id) for o in w.occurrences(period))


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_slots_avoid_busy_and_closures_and_stay_in_windows(
    scenario: tuple[SpaceView, Interval, list[ClosureView], list[BusyInterval]],
) -> None:
    space, period, closures, taken = scenario
    slots = free_slots(space, period, windows_for("gym"), closures, taken)
    buffer = timedelta(minutes=space.rules.buffer_minutes)
    blocked = [c.interval for c in closures if c.applies_to(space)] + [
        b.interval.padded(buffer) for b in taken if b.space_id in {"gym", GYM_PART}
    ]
    stretches = released(space, period)
    for slot in slots:
        assert not any(slot.overlaps(cut) for cut in blocked)
        assert any(stretch.contains(slot) for stretch in stretches)
        assert period.contains(slot)
        assert is_aligned(slot.start, space.rules.granularity_minutes)
        assert is_aligned(slot.end, space.rules.granularity_minutes)
        assert slot.duration >= timedelta(minutes=space.rules.min_minutes)
    assert slots == sorted(slots)
    assert all(a.end <= b.start for a, b in pairwise(slots))


def aligned_points(slot: Interval, step: int) -> list[datetime]:
    days = {slot.start.astimezone(OSLO).date() + timedelta(days=i) for i in (-1, 0, 1)}
    return [p for d in sorted(days) for p in grid_points(d, step) if slot.start <= p <= slot.end]


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.data())
def test_any_booking_inside_a_free_slot_passes(
    scenario: tuple[SpaceView, Interval, list[ClosureView], list[BusyInterval]],
    data: st.DataObject,
) -> None:
    space, period, closures, taken = scenario
    slots = free_slots(space, period, windows_for("gym"), closures, taken)
    if not slots:
        return
    slot = data.draw(st.sampled_from(slots))
    points = aligned_points(slot, space.rules.granularity_minutes)
    rules = space.rules
    candidates = [
        Interval(a, b)
        for i, a in enumerate(points)
        for b in points[i + 1 :]
        if rules.min_minutes <= (b - a) / timedelta(minutes=1) <= rules.max_minutes
    ]
    assert candidates, "a slot at least min_minutes long holds a valid booking"
    booking = data.draw(st.sampled_from(candidates))
    now = period.start - timedelta(days=1)
    check_booking(space, booking, now, windows_for("gym"), closures, space.capacity, taken)


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.data())
def test_any_bookable_interval_lies_in_a_free_slot(
    scenario: tuple[SpaceView, Interval, list[ClosureView], list[BusyInterval]],
    data: st.DataObject,
) -> None:
    space, period, closures, taken = scenario
    stretch = data.draw(st.sampled_from(released(space, period)))
    points = aligned_points(stretch, space.rules.granularity_minutes)
    if len(points) < 2:
        return
    start = data.draw(st.sampled_from(points[:-1]))
    end = data.draw(st.sampled_from([p for p in points if p > start]))
    booking = Interval(start, end)
    now = period.start - timedelta(days=1)
    try:
        check_booking(space, booking, now, windows_for("gym"), closures, 1, taken)
    except (RuleViolation, Conflict):
        event("refused")
        return
    event("bookable")
    slots = free_slots(space, period, windows_for("gym"), closures, taken)
    assert any(slot.contains(booking) for slot in slots)


@settings(max_examples=50, deadline=None)
@given(scenarios())
def test_busy_time_of_unrelated_spaces_changes_nothing(
    scenario: tuple[SpaceView, Interval, list[ClosureView], list[BusyInterval]],
) -> None:
    space, period, closures, taken = scenario
    related = [b for b in taken if b.space_id != OTHER_SPACE]
    assert free_slots(space, period, windows_for("gym"), closures, taken) == free_slots(
        space, period, windows_for("gym"), closures, related
    )
