from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samspill.intervals import Interval
from samspill.recurrence import (
    OSLO,
    Weekday,
    local_dates,
    local_interval,
    norwegian_public_holidays,
    resolve_local,
    weekly_occurrences,
)

SPRING_FORWARD = date(2027, 3, 28)
FALL_BACK = date(2026, 10, 25)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Weekday ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday", Weekday.MONDAY),
        ("Mandag", Weekday.MONDAY),
        ("mon", Weekday.MONDAY),
        ("tirsdag", Weekday.TUESDAY),
        ("ONS", Weekday.WEDNESDAY),
        ("thu", Weekday.THURSDAY),
        ("fredag", Weekday.FRIDAY),
        ("lørdag", Weekday.SATURDAY),
        ("lordag", Weekday.SATURDAY),
        ("søn", Weekday.SUNDAY),
        (" sunday ", Weekday.SUNDAY),
    ],
)
def test_weekday_parse(text: str, expected: Weekday) -> None:
    assert Weekday.parse(text) is expected


def test_weekday_parse_refuses_unknown() -> None:
    with pytest.raises(ValueError, match="unknown weekday"):
        Weekday.parse("someday")


def test_weekday_matches_python_weekday_numbers() -> None:
    assert date(2026, 1, 5).weekday() == Weekday.MONDAY
    assert Weekday.SUNDAY.name_nb == "søndag"


# --- local_interval and DST ---------------------------------------------------------------


def test_winter_evening_is_utc_plus_one() -> None:
    window = local_interval(date(2026, 1, 6), time(17), time(22))
    assert window == Interval(utc(2026, 1, 6, 16), utc(2026, 1, 6, 21))


def test_summer_evening_is_utc_plus_two() -> None:
    window = local_interval(date(2026, 6, 2), time(17), time(22))
    assert window == Interval(utc(2026, 6, 2, 15), utc(2026, 6, 2, 20))


def test_spring_forward_evening_window_is_five_hours() -> None:
    window = local_interval(SPRING_FORWARD, time(17), time(22))
    assert window.duration == timedelta(hours=5)
    assert window.start == utc(2027, 3, 28, 15)


def test_spring_forward_night_window_is_one_hour() -> None:
    window = local_interval(SPRING_FORWARD, time(1, 30), time(3, 30))
    assert window.duration == timedelta(hours=1)
    assert window == Interval(utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1, 30))


def test_nonexistent_time_moves_forward_to_end_of_gap() -> None:
    for wall in (time(2, 0), time(2, 30), time(2, 59, 59)):
        assert resolve_local(SPRING_FORWARD, wall) == utc(2027, 3, 28, 1, 0)
    assert resolve_local(SPRING_FORWARD, time(2, 30)).astimezone(OSLO).time() == time(3, 0)


def test_window_entirely_inside_the_gap_is_refused() -> None:
    with pytest.raises(ValueError, match="after start"):
        local_interval(SPRING_FORWARD, time(2, 0), time(2, 30))


def test_fall_back_night_window_is_three_hours() -> None:
    window = local_interval(FALL_BACK, time(1, 30), time(3, 30))
    assert window.duration == timedelta(hours=3)
    assert window == Interval(utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 2, 30))


def test_ambiguous_time_takes_the_summer_time_instant() -> None:
    assert resolve_local(FALL_BACK, time(2, 30)) == utc(2026, 10, 25, 0, 30)


def test_fall_back_evening_window_is_five_hours() -> None:
    assert local_interval(FALL_BACK, time(17), time(22)).duration == timedelta(hours=5)


def test_midnight_end_means_end_of_day() -> None:
    window = local_interval(date(2026, 1, 9), time(20), time(0, 0))
    assert window == Interval(utc(2026, 1, 9, 19), utc(2026, 1, 9, 23))
    assert local_interval(SPRING_FORWARD, time(0), time(0)).duration == timedelta(hours=23)
    assert local_interval(FALL_BACK, time(0), time(0)).duration == timedelta(hours=25)


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="after start"):
        local_interval(date(2026, 1, 9), time(20), time(18))


# --- local_dates --------------------------------------------------------------------------


def test_local_dates_uses_oslo_dates_and_half_open_end() -> None:
    # 23:30 UTC on 5 Jan is 00:30 on 6 Jan in Oslo.
    assert local_dates(Interval(utc(2026, 1, 5, 23, 30), utc(2026, 1, 6, 1))) == [date(2026, 1, 6)]
    # Ends exactly at Oslo midnight: 8 Jan is not touched.
    week = Interval(utc(2026, 1, 4, 23), utc(2026, 1, 7, 23))
    assert local_dates(week) == [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)]


# --- weekly_occurrences -------------------------------------------------------------------


def test_weekly_mon_to_thu_for_a_week() -> None:
    occurrences = weekly_occurrences(
        [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY],
        time(17),
        time(22),
        date(2026, 1, 5),
        date(2026, 1, 11),
    )
    assert [o.start.astimezone(OSLO).date() for o in occurrences] == [
        date(2026, 1, 5),
        date(2026, 1, 6),
        date(2026, 1, 7),
        date(2026, 1, 8),
    ]
    assert all(o.duration == timedelta(hours=5) for o in occurrences)


def test_weekly_skips_excepted_dates_and_is_inclusive_of_valid_to() -> None:
    occurrences = weekly_occurrences(
        [Weekday.TUESDAY],
        time(18),
        time(20),
        date(2026, 1, 6),
        date(2026, 1, 27),
        except_dates=[date(2026, 1, 13)],
    )
    days = [o.start.astimezone(OSLO).date() for o in occurrences]
    assert days == [date(2026, 1, 6), date(2026, 1, 20), date(2026, 1, 27)]


def test_weekly_within_returns_whole_overlapping_occurrences() -> None:
    within = Interval(utc(2026, 1, 6, 18), utc(2026, 1, 13, 17, 30))
    occurrences = weekly_occurrences(
        [Weekday.TUESDAY], time(18), time(20), date(2026, 1, 1), date(2026, 6, 30), within=within
    )
    assert occurrences == [
        Interval(utc(2026, 1, 6, 17), utc(2026, 1, 6, 19)),
        Interval(utc(2026, 1, 13, 17), utc(2026, 1, 13, 19)),
    ]


def test_weekly_across_dst_keeps_wall_times() -> None:
    occurrences = weekly_occurrences(
        [Weekday.SUNDAY], time(17), time(22), date(2027, 3, 21), date(2027, 4, 4)
    )
    assert [o.start.hour for o in occurrences] == [16, 15, 15]
    assert all(o.duration == timedelta(hours=5) for o in occurrences)


def test_weekly_skips_a_date_whose_window_vanishes_in_the_gap() -> None:
    occurrences = weekly_occurrences(
        [Weekday.SUNDAY], time(2), time(2, 45), date(2027, 3, 21), date(2027, 4, 4)
    )
    assert [o.start.astimezone(OSLO).date() for o in occurrences] == [
        date(2027, 3, 21),
        date(2027, 4, 4),
    ]


def test_weekly_refuses_inverted_times() -> None:
    with pytest.raises(ValueError, match="after start"):
        weekly_occurrences([0], time(20), time(18), date(2026, 1, 1), date(2026, 1, 31))


quarter_hours = st.integers(min_value=0, max_value=95).map(lambda q: time(q // 4, (q % 4) * 15))
# Wall times outside 02:00–03:00 exist exactly once on every Oslo date.
regular_times = quarter_hours.filter(lambda t: t.hour != 2)
weekday_sets = st.sets(st.integers(min_value=0, max_value=6), min_size=1)
first_days = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))


@given(weekday_sets, regular_times, regular_times, first_days, st.integers(0, 120), st.data())
def test_every_occurrence_has_the_rule_wall_times(
    weekdays: set[int],
    start: time,
    end: time,
    valid_from: date,
    length_days: int,
    data: st.DataObject,
) -> None:
    if end != time(0) and end <= start:
        start, end = end, start
    if start == end:
        end = time(0)
    valid_to = valid_from + timedelta(days=length_days)
    candidates = [valid_from + timedelta(days=n) for n in range(length_days + 1)]
    excepted = set(data.draw(st.lists(st.sampled_from(candidates), max_size=5)))
    occurrences = weekly_occurrences(
        weekdays, start, end, valid_from, valid_to, except_dates=excepted
    )
    expected_days = [d for d in candidates if d.weekday() in weekdays and d not in excepted]
    assert [o.start.astimezone(OSLO).date() for o in occurrences] == expected_days
    for occurrence in occurrences:
        local_start, local_end = occurrence.start.astimezone(OSLO), occurrence.end.astimezone(OSLO)
        assert local_start.time() == start
        assert local_end.time() == end
        expected_end_day = local_start.date() + timedelta(days=1 if end == time(0) else 0)
        assert local_end.date() == expected_end_day


@given(weekday_sets, first_days, st.integers(0, 60), st.integers(0, 24 * 60), st.integers(1, 72))
def test_within_keeps_exactly_the_overlapping_occurrences(
    weekdays: set[int], valid_from: date, length_days: int, offset_min: int, hours: int
) -> None:
    valid_to = valid_from + timedelta(days=length_days)
    all_occurrences = weekly_occurrences(weekdays, time(17), time(0), valid_from, valid_to)
    start = datetime.combine(valid_from, time(0), tzinfo=UTC) + timedelta(minutes=offset_min * 3)
    within = Interval(start, start + timedelta(hours=hours))
    windowed = weekly_occurrences(weekdays, time(17), time(0), valid_from, valid_to, within=within)
    assert windowed == [o for o in all_occurrences if o.overlaps(within)]


# --- holidays -----------------------------------------------------------------------------


def test_norwegian_public_holidays_2026() -> None:
    days = norwegian_public_holidays([2026])
    assert days[date(2026, 5, 17)] == "Grunnlovsdag"
    assert days[date(2026, 4, 3)] == "Langfredag"
    assert days[date(2026, 12, 26)] == "Andre juledag"
    assert len(days) == 12
    # Ordinary Sundays are not public holidays here.
    assert date(2026, 1, 4) not in days


def test_norwegian_public_holidays_several_years() -> None:
    days = norwegian_public_holidays([2026, 2027])
    assert days[date(2027, 3, 26)] == "Langfredag"
    assert list(days) == sorted(days)
