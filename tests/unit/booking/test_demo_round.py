"""The demo round's dates and name, by rule from any day of the year; its halls are the
facilities demo's school halls."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from booking.demo.loader import (
    HORIZON_DAYS,
    SEASON_LEAD_DAYS,
    SEASON_WEEKS,
    RoundDates,
    demo_hall_names,
    round_dates,
    season_name,
)
from booking.domain.rounds import RoundPeriods, RoundStatus, check_periods, due_status
from facilities.demo.data import SITES

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2040, 12, 31))


@given(days)
def test_the_round_opens_today_and_its_season_is_whole_weeks_inside_the_horizon(
    today: date,
) -> None:
    dates = round_dates(today)
    periods = RoundPeriods(**vars(dates))
    check_periods(periods)  # the API's own rule: no 422
    assert due_status(periods, today) is RoundStatus.OPEN
    assert dates.applications_open == today
    assert dates.applications_close == today + timedelta(days=14)
    assert dates.allocation_until == today + timedelta(days=21)
    assert dates.results_date == today + timedelta(days=28)
    first, last = dates.season_first_date, dates.season_last_date
    assert first.weekday() == 0
    assert timedelta(days=SEASON_LEAD_DAYS) <= first - today < timedelta(days=SEASON_LEAD_DAYS + 7)
    assert last.weekday() == 6
    assert last < today + timedelta(days=HORIZON_DAYS)
    weeks = ((last - first).days + 1) // 7
    assert weeks == SEASON_WEEKS or last + timedelta(weeks=1) >= today + timedelta(
        days=HORIZON_DAYS
    )
    assert weeks >= 19  # the 180-day horizon leaves about 20 weeks


@given(days)
def test_the_name_is_the_sports_season_holding_the_middle_of_the_season(today: date) -> None:
    dates = round_dates(today)
    name = season_name(dates)
    first, last = dates.season_first_date, dates.season_last_date
    middle = first + (last - first) / 2
    year = int(name.removeprefix("Sesongen ").split("/")[0])
    assert name == f"Sesongen {year}/{year + 1}"
    assert date(year, 7, 1) <= middle < date(year + 1, 7, 1)
    assert season_name(round_dates(today)) == name  # the same day, the same name


def test_a_spring_season_belongs_to_the_season_begun_the_summer_before() -> None:
    spring = RoundDates(*(date(2027, 1, 4),) * 4, date(2027, 2, 1), date(2027, 5, 30))
    autumn = RoundDates(*(date(2026, 7, 1),) * 4, date(2026, 8, 17), date(2026, 12, 20))
    assert season_name(spring) == "Sesongen 2026/2027"
    assert season_name(autumn) == "Sesongen 2026/2027"


def test_the_halls_are_the_facilities_demo_school_halls_and_their_parts() -> None:
    expected = {
        (site.name, name)
        for site in SITES
        if site.kind == "school"
        for space in site.spaces
        if space.kind == "gym"
        for name in (space.name, *(f"{space.name}, {part}" for part in space.parts))
    }
    assert demo_hall_names() == expected
    assert len(expected) == 19
