"""The pure rules of application rounds: periods, states, sections and reserved evenings."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.domain.allocation import WeeklyTime
from booking.domain.errors import RoundReserved, TransitionNotAllowed
from booking.domain.rounds import (
    RESERVING_STATES,
    RoundPeriods,
    RoundStatus,
    RoundView,
    SectionRequest,
    check_editable,
    check_evening,
    check_open_for_applications,
    check_periods,
    check_section,
    check_weekdays,
    due_moves,
    due_status,
    first_reserving,
    reserved_evening,
    series_reserved,
    transition_round,
    weekly_time,
)
from samspill.errors import Conflict, RuleViolation
from samspill.recurrence import local_interval

OPEN = date(2027, 3, 1)
PERIODS = RoundPeriods(
    applications_open=OPEN,
    applications_close=date(2027, 3, 31),
    allocation_until=date(2027, 5, 15),
    results_date=date(2027, 6, 1),
    season_first_date=date(2027, 8, 16),
    season_last_date=date(2028, 6, 15),
)
HALL, PART, OTHER = "hall", "part", "other"


def view(**changes: object) -> RoundView:
    values: dict[str, object] = {
        "round_id": "r1",
        "name": "Høst 2027",
        "status": RoundStatus.OPEN,
        "periods": PERIODS,
        "weekdays": frozenset({0, 1, 2, 3, 4}),
        "evening_start": 17 * 60,
        "evening_end": 23 * 60,
        "space_ids": frozenset({HALL, PART}),
    }
    values.update(changes)
    return RoundView(**values)  # type: ignore[arg-type]


def section(**changes: object) -> SectionRequest:
    values: dict[str, object] = {
        "name": "G14",
        "group_size": 20,
        "times_per_week": 2,
        "min_minutes": 60,
        "max_minutes": 90,
        "halls": (HALL,),
        "preferred": (WeeklyTime(1, 18 * 60, 20 * 60),),
        "acceptable": (),
    }
    values.update(changes)
    return SectionRequest(**values)  # type: ignore[arg-type]


CAPACITIES = {HALL: 60, PART: 30}


def with_dates(**changes: date) -> RoundPeriods:
    return RoundPeriods(**{**PERIODS.__dict__, **changes})


# --- periods -------------------------------------------------------------------------------


def test_good_periods_pass() -> None:
    check_periods(PERIODS)
    same_days = with_dates(
        applications_close=OPEN,
        allocation_until=OPEN + timedelta(days=1),
        results_date=OPEN + timedelta(days=1),
        season_first_date=OPEN + timedelta(days=1),
        season_last_date=OPEN + timedelta(days=1),
    )
    check_periods(same_days)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"applications_close": date(2027, 2, 28)}, "applications_close"),
        ({"allocation_until": date(2027, 3, 31)}, "allocation_until"),
        ({"results_date": date(2027, 5, 14)}, "results_date"),
        ({"season_first_date": date(2027, 5, 31)}, "season_first_date"),
        ({"season_last_date": date(2027, 8, 15)}, "season_last_date"),
        ({"season_last_date": date(2028, 8, 16)}, "season_last_date"),
    ],
)
def test_periods_out_of_order_are_refused(changes: dict[str, date], field: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_periods(with_dates(**changes))
    assert refused.value.extra["field"] == field
    assert refused.value.detail_nb


def test_a_season_is_at_most_a_year() -> None:
    check_periods(with_dates(season_last_date=date(2028, 8, 15)))
    with pytest.raises(RuleViolation):
        check_periods(with_dates(season_last_date=date(2028, 8, 16)))
    leap = with_dates(season_first_date=date(2028, 2, 29), season_last_date=date(2029, 2, 28))
    check_periods(leap)


dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))


@given(st.lists(dates, min_size=6, max_size=6))
def test_periods_pass_exactly_when_in_order(days: list[date]) -> None:
    periods = RoundPeriods(*days)
    in_order = days[0] <= days[1] < days[2] <= days[3] <= days[4] <= days[5] and days[5] < date(
        days[4].year + 1, days[4].month, 1
    ) + timedelta(days=days[4].day - 1)
    try:
        check_periods(periods)
    except RuleViolation:
        assert not in_order
    else:
        assert days[0] <= days[1] < days[2] <= days[3] <= days[4] <= days[5]
        assert (days[5] - days[4]).days < 366


# --- states --------------------------------------------------------------------------------


def test_due_status_follows_the_dates() -> None:
    assert due_status(PERIODS, OPEN - timedelta(days=1)) is RoundStatus.UPCOMING
    assert due_status(PERIODS, OPEN) is RoundStatus.OPEN
    assert due_status(PERIODS, PERIODS.applications_close) is RoundStatus.OPEN
    after = PERIODS.applications_close + timedelta(days=1)
    assert due_status(PERIODS, after) is RoundStatus.IN_ALLOCATION


@given(dates, st.sampled_from(list(RoundStatus)))
def test_the_job_only_moves_forward_to_the_due_state(today: date, current: RoundStatus) -> None:
    moves = due_moves(current, PERIODS, today)
    state = current
    for target in moves:
        state = transition_round(state, target)  # each step is allowed
    if current in (RoundStatus.UPCOMING, RoundStatus.OPEN):
        order = [RoundStatus.UPCOMING, RoundStatus.OPEN, RoundStatus.IN_ALLOCATION]
        assert order.index(state) == max(
            order.index(current), order.index(due_status(PERIODS, today))
        )
    else:
        assert moves == []
    assert due_moves(state, PERIODS, today) == []  # a second run does nothing


def test_transitions() -> None:
    assert transition_round(RoundStatus.HANDLED, RoundStatus.IN_ALLOCATION) is (
        RoundStatus.IN_ALLOCATION
    )
    for current, target in [
        (RoundStatus.RESULTS_SENT, RoundStatus.HANDLED),
        (RoundStatus.OPEN, RoundStatus.HANDLED),
        (RoundStatus.IN_ALLOCATION, RoundStatus.OPEN),
        (RoundStatus.IN_ALLOCATION, RoundStatus.RESULTS_SENT),
    ]:
        with pytest.raises(TransitionNotAllowed):
            transition_round(current, target)


def test_applications_only_while_open_and_in_the_period() -> None:
    check_open_for_applications(RoundStatus.OPEN, PERIODS, OPEN)
    for status, today in [
        (RoundStatus.UPCOMING, OPEN),
        (RoundStatus.OPEN, PERIODS.applications_close + timedelta(days=1)),
        (RoundStatus.IN_ALLOCATION, OPEN),
    ]:
        with pytest.raises(Conflict):
            check_open_for_applications(status, PERIODS, today)
    with pytest.raises(Conflict, match="result has been sent"):
        check_open_for_applications(RoundStatus.RESULTS_SENT, PERIODS, OPEN)


def test_editable_only_before_allocation() -> None:
    check_editable(RoundStatus.UPCOMING)
    check_editable(RoundStatus.OPEN)
    for status in (RoundStatus.IN_ALLOCATION, RoundStatus.HANDLED, RoundStatus.RESULTS_SENT):
        with pytest.raises(Conflict):
            check_editable(status)


# --- weekdays and evenings -----------------------------------------------------------------


@pytest.mark.parametrize("weekdays", [[], [1, 1], [7], [-1]])
def test_bad_weekdays(weekdays: list[int]) -> None:
    with pytest.raises(RuleViolation):
        check_weekdays(weekdays)


@pytest.mark.parametrize(
    ("start", "end"), [("17:15", "23:00"), ("23:00", "17:00"), ("17:00", "17:00"), ("24:00", "x")]
)
def test_bad_evenings(start: str, end: str) -> None:
    with pytest.raises(RuleViolation):
        check_evening(start, end)


def test_good_evening() -> None:
    assert check_evening("16:30", "22:00") == (990, 1320)


# --- sections ------------------------------------------------------------------------------


def test_a_good_section_passes() -> None:
    check_section(section(acceptable=(WeeklyTime(4, 17 * 60, 23 * 60),)), view(), CAPACITIES)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_minutes": 90, "max_minutes": 60}, "max_minutes"),
        ({"min_minutes": 45}, "min_minutes"),
        ({"times_per_week": 6}, "times_per_week"),
        ({"halls": ()}, "halls"),
        ({"halls": (HALL, HALL)}, "halls"),
        ({"halls": (OTHER,)}, "halls"),
        ({"preferred": ()}, "preferred"),
        ({"preferred": (WeeklyTime(5, 18 * 60, 20 * 60),)}, "preferred"),
        ({"preferred": (WeeklyTime(1, 16 * 60, 18 * 60),)}, "preferred"),
        ({"preferred": (WeeklyTime(1, 18 * 60 + 15, 20 * 60),)}, "preferred"),
        ({"acceptable": (WeeklyTime(1, 22 * 60, 23 * 60 + 30),)}, "acceptable"),
        ({"group_size": 61}, "group_size"),
        ({"group_size": 31, "halls": (PART,)}, "group_size"),
    ],
)
def test_bad_sections_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_section(section(**changes), view(), CAPACITIES)
    assert refused.value.extra["field"] == field
    assert "G14" in (refused.value.detail_nb or "")


def test_a_group_fits_when_one_hall_is_large_enough() -> None:
    check_section(section(group_size=50, halls=(PART, HALL)), view(), CAPACITIES)


@given(
    st.integers(min_value=1, max_value=10),
    st.sets(st.integers(min_value=0, max_value=6), min_size=1),
)
def test_times_per_week_at_most_the_round_days(times: int, weekdays: set[int]) -> None:
    round_ = view(weekdays=frozenset(weekdays))
    day = min(weekdays)
    wish = section(times_per_week=times, preferred=(WeeklyTime(day, 18 * 60, 20 * 60),))
    if times > len(weekdays):
        with pytest.raises(RuleViolation, match="times a week"):
            check_section(wish, round_, CAPACITIES)
    else:
        check_section(wish, round_, CAPACITIES)


def test_weekly_time_from_text() -> None:
    assert weekly_time(2, "18:00", "19:30") == WeeklyTime(2, 1080, 1170)
    with pytest.raises(RuleViolation):
        weekly_time(2, "19:30", "18:00")


# --- reserved evenings ---------------------------------------------------------------------

TUESDAY_IN_SEASON = date(2027, 8, 17)


def test_an_interval_in_a_season_evening_is_reserved() -> None:
    round_ = view()
    inside = local_interval(TUESDAY_IN_SEASON, time(18), time(20))
    assert reserved_evening(round_, inside) == local_interval(TUESDAY_IN_SEASON, time(17), time(23))
    before = local_interval(TUESDAY_IN_SEASON, time(15), time(17))
    assert reserved_evening(round_, before) is None
    saturday = local_interval(TUESDAY_IN_SEASON + timedelta(days=4), time(18), time(20))
    assert reserved_evening(round_, saturday) is None
    before_season = local_interval(TUESDAY_IN_SEASON - timedelta(weeks=1), time(18), time(20))
    assert reserved_evening(round_, before_season) is None


def test_only_reserving_states_keep_time() -> None:
    inside = local_interval(TUESDAY_IN_SEASON, time(18), time(20))
    for status in RoundStatus:
        found = first_reserving([view(status=status)], [inside])
        assert (found is not None) == (status in RESERVING_STATES)
    round_ = view()
    error = round_.reserved(inside)
    assert isinstance(error, RoundReserved)
    assert error.status == 409
    assert error.extra["round"] == {"round_id": "r1", "name": "Høst 2027"}


@given(
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=47),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=-60, max_value=400),
    st.integers(min_value=0, max_value=120),
)
def test_a_series_is_reserved_when_any_occurrence_is(
    weekday: int, start_slot: int, length_slots: int, offset: int, weeks: int
) -> None:
    """The quick wall-clock rule agrees with checking every occurrence one by one."""
    round_ = view()
    start_minutes = start_slot * 30
    end_minutes = min(start_minutes + length_slots * 30, 23 * 60 + 30)
    if end_minutes <= start_minutes:
        return
    start = time(start_minutes // 60, start_minutes % 60)
    end = time(end_minutes // 60, end_minutes % 60)
    first = PERIODS.season_first_date + timedelta(days=offset)
    last = first + timedelta(days=weeks * 7)
    occurrences = [
        local_interval(first + timedelta(days=n), start, end)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() == weekday
    ]
    one_by_one = any(reserved_evening(round_, o) is not None for o in occurrences)
    found = series_reserved(round_, weekday, start, end, first, last)
    assert (found is not None) == one_by_one
    if found is not None:
        assert reserved_evening(round_, local_interval(found, start, end)) is not None
