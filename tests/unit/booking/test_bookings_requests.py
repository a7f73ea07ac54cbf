"""check_booking: every rule a single request can break, and conflicts with what is booked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import pytest

from booking.domain import (
    BookerKind,
    BusyInterval,
    ClosureView,
    SpaceView,
    WhoMayBook,
    WindowView,
    booking_interval,
    check_booking,
)
from samspill.errors import Conflict, RuleViolation
from samspill.intervals import Interval

from .booking_builders import (
    GYM_PART,
    OTHER_SPACE,
    busy,
    closure,
    evening_window,
    gym,
    night_window,
    oslo,
    utc,
    with_rules,
)

NOW = oslo(2026, 9, 1, 12)  # a Tuesday
TUESDAY_EVENING = Interval(oslo(2026, 9, 8, 18), oslo(2026, 9, 8, 20))


def check(
    interval: Interval,
    space: SpaceView | None = None,
    windows: Sequence[WindowView] | None = None,
    closures: Sequence[ClosureView] = (),
    participants: int = 12,
    taken: Sequence[BusyInterval] = (),
    now: datetime = NOW,
    booker: BookerKind = BookerKind.ORGANISATION,
) -> None:
    check_booking(
        space or gym(),
        interval,
        now,
        [evening_window()] if windows is None else windows,
        closures,
        participants,
        taken,
        booker=booker,
    )


def violation(**kwargs: object) -> RuleViolation:
    interval = kwargs.pop("interval", TUESDAY_EVENING)
    assert isinstance(interval, Interval)
    with pytest.raises(RuleViolation) as caught:
        check(interval, **kwargs)  # type: ignore[arg-type]
    assert caught.value.detail_nb
    assert caught.value.detail
    return caught.value


def test_a_valid_request_passes() -> None:
    check(TUESDAY_EVENING)


def test_a_request_filling_the_whole_window_passes() -> None:
    check(Interval(oslo(2026, 9, 8, 18), oslo(2026, 9, 8, 22)))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (oslo(2026, 9, 8, 20), oslo(2026, 9, 8, 18), "end must be after"),
        (oslo(2026, 9, 8, 18), oslo(2026, 9, 8, 18), "zero length"),
        (datetime(2026, 9, 8, 18), datetime(2026, 9, 8, 20), "time zone"),
    ],
)
def test_booking_interval_refuses_bad_times(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(RuleViolation, match=message):
        booking_interval(start, end)


def test_booking_interval_builds_the_interval() -> None:
    assert booking_interval(oslo(2026, 9, 8, 18), oslo(2026, 9, 8, 20)) == TUESDAY_EVENING


def test_in_the_past() -> None:
    error = violation(now=oslo(2026, 9, 8, 18, 1))
    assert "past" in error.detail
    assert "fortiden" in error.detail_nb


def test_beyond_the_horizon() -> None:
    late = Interval(oslo(2027, 3, 2, 18), oslo(2027, 3, 2, 20))  # 182 days ahead
    assert "180 days" in violation(interval=late).detail
    check(Interval(oslo(2027, 2, 23, 18), oslo(2027, 2, 23, 20)))  # 175 days ahead


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (oslo(2026, 9, 8, 18), oslo(2026, 9, 8, 18, 30), "at least 60 minutes"),
        (oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 21, 30), "at most 240 minutes"),
    ],
)
def test_length_rules(start: datetime, end: datetime, message: str) -> None:
    assert message in violation(interval=Interval(start, end)).detail


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (oslo(2026, 9, 8, 18, 15), oslo(2026, 9, 8, 19, 30)),
        (oslo(2026, 9, 8, 18), oslo(2026, 9, 8, 19, 45)),
        (oslo(2026, 9, 8, 18) + timedelta(seconds=1), oslo(2026, 9, 8, 19, 30)),
    ],
)
def test_granularity(start: datetime, end: datetime) -> None:
    assert "30-minute" in violation(interval=Interval(start, end)).detail


def test_granularity_is_counted_from_local_midnight() -> None:
    space = with_rules(gym(), granularity_minutes=45, min_minutes=45)
    # 17:15 and 18:45 are 1035 and 1125 minutes after midnight: both multiples of 45.
    check(Interval(oslo(2026, 9, 8, 17, 15), oslo(2026, 9, 8, 18, 45)), space=space)
    with pytest.raises(RuleViolation):
        check(Interval(oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 18, 30)), space=space)


def test_granularity_on_the_spring_forward_night() -> None:
    # 2027-03-28: 02:00 jumps to 03:00. 01:00 → 03:00 local is one hour on the clock grid.
    day = date(2027, 3, 28)
    space = with_rules(gym(), granularity_minutes=60, min_minutes=60)
    now = oslo(2027, 3, 1)
    across = Interval(utc(2027, 3, 28, 0), utc(2027, 3, 28, 1))
    assert across.duration == timedelta(hours=1)
    check(across, space=space, windows=[night_window(day)], now=now)
    # With 45-minute steps 03:00 (wall minute 180) is on the grid although only 120 minutes
    # have passed since midnight; 01:30 is on it too, 03:15 is not.
    space45 = with_rules(gym(), granularity_minutes=45, min_minutes=30)
    night = [night_window(day)]
    half_hour = Interval(utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1))
    check(half_hour, space=space45, windows=night, now=now)
    off_grid = Interval(utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1, 15))
    with pytest.raises(RuleViolation, match="45-minute"):
        check(off_grid, space=space45, windows=night, now=now)


def test_granularity_on_the_fall_back_night() -> None:
    # 2026-10-25: 02:00–03:00 happens twice; 02:30 is on the grid both times.
    day = date(2026, 10, 25)
    now = oslo(2026, 10, 1)
    first_0230, second_0230 = utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)
    check(Interval(first_0230, second_0230), windows=[night_window(day)], now=now)
    check(Interval(utc(2026, 10, 24, 23, 30), second_0230), windows=[night_window(day)], now=now)
    with pytest.raises(RuleViolation, match="30-minute"):
        check(Interval(first_0230, utc(2026, 10, 25, 1, 40)), windows=[night_window(day)], now=now)


def test_outside_any_window() -> None:
    friday = Interval(oslo(2026, 9, 11, 18), oslo(2026, 9, 11, 20))
    assert "not released" in violation(interval=friday).detail
    too_late = Interval(oslo(2026, 9, 8, 21), oslo(2026, 9, 8, 23))
    violation(interval=too_late)
    before_season = evening_window(valid_from=date(2026, 9, 9))
    violation(windows=[before_season])


def test_window_of_another_space_does_not_release_this_one() -> None:
    violation(windows=[evening_window(space_id=OTHER_SPACE)])


def test_withdrawn_date_is_not_released() -> None:
    violation(windows=[evening_window(withdrawn=frozenset({date(2026, 9, 8)}))])


def test_booking_must_fit_in_one_stretch_of_released_time() -> None:
    early = WindowView.one_off("w1", "gym", date(2026, 9, 8), time(17), time(19))
    late = WindowView.one_off("w2", "gym", date(2026, 9, 8), time(19, 30), time(22))
    across_the_gap = Interval(oslo(2026, 9, 8, 18), oslo(2026, 9, 8, 20))
    violation(interval=across_the_gap, windows=[early, late])
    back_to_back = WindowView.one_off("w3", "gym", date(2026, 9, 8), time(19), time(22))
    check(across_the_gap, windows=[early, back_to_back])


@pytest.mark.parametrize(
    ("space_id", "site_id"),
    [("gym", "school-1"), (GYM_PART, "school-1"), (None, "school-1")],
)
def test_closure_of_space_conflict_set_or_site(space_id: str | None, site_id: str) -> None:
    exam = closure(Interval(oslo(2026, 9, 7), oslo(2026, 9, 12)), space_id, site_id)
    error = violation(closures=[exam])
    assert "closed" in error.detail
    assert "stengt" in error.detail_nb
    assert "exam" in error.detail


@pytest.mark.parametrize(
    ("space_id", "site_id"),
    [(OTHER_SPACE, "school-1"), (None, "school-2"), ("gym", "school-1")],
)
def test_closures_that_do_not_apply(space_id: str | None, site_id: str) -> None:
    other = Interval(oslo(2026, 9, 8, 20), oslo(2026, 9, 8, 22))
    elsewhere = Interval(oslo(2026, 9, 7), oslo(2026, 9, 12))
    interval = other if space_id == "gym" else elsewhere
    check(TUESDAY_EVENING, closures=[closure(interval, space_id, site_id)])


def test_capacity() -> None:
    assert "at most 30" in violation(participants=31).detail
    violation(participants=0)
    check(TUESDAY_EVENING, participants=30)


def test_retired_space() -> None:
    assert "no longer" in violation(space=gym(retired=True)).detail


def test_who_may_book() -> None:
    violation(booker=BookerKind.RESIDENT)
    open_to_all = with_rules(gym(), who_may_book=WhoMayBook.EVERYONE)
    check(TUESDAY_EVENING, space=open_to_all, booker=BookerKind.RESIDENT)


def test_conflict_names_the_busy_interval() -> None:
    taken = Interval(oslo(2026, 9, 8, 19), oslo(2026, 9, 8, 21))
    with pytest.raises(Conflict) as caught:
        check(TUESDAY_EVENING, taken=[busy(taken)])
    assert caught.value.conflicting == taken
    assert caught.value.status == 409
    assert "19:00" in caught.value.detail
    assert "19:00" in caught.value.detail_nb


def test_conflict_with_a_part_of_a_divisible_hall() -> None:
    taken = Interval(oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 18, 30))
    with pytest.raises(Conflict):
        check(TUESDAY_EVENING, taken=[busy(taken, space_id=GYM_PART)])
    check(TUESDAY_EVENING, taken=[busy(taken, space_id=OTHER_SPACE)])


def test_touching_bookings_do_not_conflict_without_buffer() -> None:
    before = Interval(oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 18))
    after = Interval(oslo(2026, 9, 8, 20), oslo(2026, 9, 8, 21))
    check(TUESDAY_EVENING, taken=[busy(before), busy(after, booking_id="b-2")])


def test_buffer_keeps_a_gap_between_bookings() -> None:
    space = with_rules(gym(), buffer_minutes=15)
    before = Interval(oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 18))
    with pytest.raises(Conflict) as caught:
        check(TUESDAY_EVENING, space=space, taken=[busy(before)])
    assert caught.value.conflicting == before
    check(
        Interval(oslo(2026, 9, 8, 18, 30), oslo(2026, 9, 8, 20)),
        space=space,
        taken=[busy(before)],
    )


def test_rule_violations_come_before_conflicts() -> None:
    with pytest.raises(RuleViolation):
        check(TUESDAY_EVENING, participants=99, taken=[busy(TUESDAY_EVENING)])


def test_own_booking_can_be_ignored_on_recheck() -> None:
    mine = busy(TUESDAY_EVENING, booking_id="mine")
    check_booking(
        gym(), TUESDAY_EVENING, NOW, [evening_window()], [], 10, [mine], ignore_booking_id="mine"
    )
    with pytest.raises(Conflict):
        check_booking(gym(), TUESDAY_EVENING, NOW, [evening_window()], [], 10, [mine])
