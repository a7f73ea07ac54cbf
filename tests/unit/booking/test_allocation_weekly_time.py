"""A hall's free weekly time, freed time fitting a waiting section, an outcome after staff's
changes and the minutes of the week."""

from __future__ import annotations

from datetime import date, time

from hypothesis import given
from hypothesis import strategies as st

from booking.domain.allocation import AgeGroup, Section, WeeklyTime
from booking.domain.weekly_time import (
    ReleasedWeekly,
    changed_outcome,
    fitting_time,
    free_weekly_time,
    minutes,
    week_range,
)

SEASON = (date(2031, 8, 18), date(2032, 6, 18))
EVENING = (17 * 60, 23 * 60)


def window(start: time, end: time, *, valid_to: date = date(2032, 12, 31)) -> ReleasedWeekly:
    return ReleasedWeekly(frozenset(range(7)), start, end, date(2031, 1, 1), valid_to)


def section(**overrides: object) -> Section:
    values: dict[str, object] = {
        "section_id": "s",
        "club_id": "c",
        "name": "G14",
        "age_group": AgeGroup.YOUTH,
        "local": True,
        "club_rank": 1,
        "group_size": 20,
        "times_per_week": 1,
        "min_minutes": 60,
        "max_minutes": 90,
        "halls": ("hall",),
        "preferred": (WeeklyTime(1, 18 * 60, 21 * 60),),
        "acceptable": (),
    }
    values.update(overrides)
    return Section(**values)  # type: ignore[arg-type]


def test_free_time_is_the_windows_inside_the_evenings_less_what_series_hold() -> None:
    free = free_weekly_time(
        [window(time(16), time(22)), window(time(21, 30), time(0))],
        SEASON,
        [1, 3],
        EVENING,
        [WeeklyTime(1, 18 * 60, 19 * 60 + 15)],
    )
    assert free == (
        WeeklyTime(1, 17 * 60, 18 * 60),
        WeeklyTime(1, 19 * 60 + 30, 23 * 60),
        WeeklyTime(3, 17 * 60, 23 * 60),
    )


def test_a_window_that_ended_before_the_season_gives_nothing() -> None:
    ended = window(time(17), time(22), valid_to=date(2031, 6, 30))
    assert free_weekly_time([ended], SEASON, [0], EVENING, []) == ()


def test_freed_time_is_clipped_to_the_sections_preference_and_maximum() -> None:
    freed = WeeklyTime(1, 17 * 60, 20 * 60)
    assert fitting_time(section(), "hall", 40, freed) == WeeklyTime(1, 18 * 60, 19 * 60 + 30)
    assert fitting_time(section(), "other", 40, freed) is None
    assert fitting_time(section(group_size=50), "hall", 40, freed) is None
    assert fitting_time(section(min_minutes=150), "hall", 40, freed) is None
    acceptable = section(preferred=(WeeklyTime(2, 18 * 60, 20 * 60),), acceptable=(freed,))
    assert fitting_time(acceptable, "hall", 40, freed) == WeeklyTime(1, 17 * 60, 18 * 60 + 30)


def test_an_outcome_after_staff_changed_the_times() -> None:
    assert changed_outcome([], 2)[0] == "refused"
    status, en, nb = changed_outcome([WeeklyTime(1, 18 * 60, 19 * 60)], 2)
    assert status == "partly"
    assert "Tuesday 18:00–19:00" in en
    assert "Tirsdag 18:00–19:00" in nb
    assert changed_outcome([WeeklyTime(1, 1080, 1140), WeeklyTime(3, 1080, 1140)], 2)[0] == (
        "granted"
    )


@given(
    st.integers(0, 6), st.integers(0, 6), st.integers(0, 47), st.integers(0, 47), st.integers(1, 8)
)
def test_times_clash_exactly_when_their_minutes_of_the_week_overlap(
    day_a: int, day_b: int, slot_a: int, slot_b: int, length: int
) -> None:
    a = WeeklyTime(day_a, slot_a * 30, min(slot_a * 30 + length * 30, 1440))
    b = WeeklyTime(day_b, slot_b * 30, min(slot_b * 30 + length * 30, 1440))
    (low_a, high_a), (low_b, high_b) = week_range(a), week_range(b)
    assert (low_a < high_b and low_b < high_a) == a.overlaps(b)


def test_clock_texts() -> None:
    assert minutes("17:30") == 1050
    assert minutes("24:00") == 1440
