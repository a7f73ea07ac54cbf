from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from facilities.domain import (
    Closure,
    ClosureReason,
    checked_interval,
    conflict_sets,
    holiday_closure,
    holiday_closures,
)
from samspill.errors import RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import OSLO

EXAM_WEEK = Interval(datetime(2026, 5, 25, tzinfo=OSLO), datetime(2026, 5, 30, tzinfo=OSLO))


def test_a_space_closure_is_valid() -> None:
    Closure(EXAM_WEEK, ClosureReason.EXAM, "gym").validate(now=datetime(2026, 5, 1, tzinfo=UTC))


def test_closing_a_retired_space_is_refused() -> None:
    with pytest.raises(RuleViolation, match="retired") as caught:
        Closure(EXAM_WEEK, ClosureReason.MAINTENANCE, "gym").validate(space_retired=True)
    assert "ut av bruk" in caught.value.detail_nb


def test_whole_site_closure_ignores_the_retired_flag() -> None:
    Closure(EXAM_WEEK, ClosureReason.OWN_EVENT, None).validate(space_retired=True)


def test_closure_in_the_past_is_refused() -> None:
    with pytest.raises(RuleViolation, match="past"):
        Closure(EXAM_WEEK, ClosureReason.EXAM).validate(now=datetime(2026, 6, 1, tzinfo=UTC))


def test_closure_longer_than_a_year_is_refused() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    long = Interval(start, start + timedelta(days=400))
    with pytest.raises(RuleViolation, match="one year"):
        Closure(long, ClosureReason.MAINTENANCE, "gym").validate()


def test_closure_end_must_be_after_start() -> None:
    start = datetime(2026, 5, 25, tzinfo=UTC)
    with pytest.raises(RuleViolation, match="after the start"):
        checked_interval(start, start)
    with pytest.raises(RuleViolation, match="time zone"):
        checked_interval(datetime(2026, 5, 25), datetime(2026, 5, 26))
    assert checked_interval(start, start + timedelta(hours=1)).duration == timedelta(hours=1)


def test_closing_a_third_blocks_the_whole_hall_but_not_other_thirds() -> None:
    parents = {"gym": None, "third-a": "gym", "third-b": "gym", "classroom": None}
    conflicts = conflict_sets(parents)
    closure = Closure(EXAM_WEEK, ClosureReason.MAINTENANCE, "third-a")
    assert closure.affected_spaces(parents, conflicts) == {"third-a", "gym"}
    site_wide = Closure(EXAM_WEEK, ClosureReason.EMERGENCY)
    assert site_wide.affected_spaces(parents, conflicts) == set(parents)


def test_holiday_closures_when_the_site_closes_on_holidays() -> None:
    closures = holiday_closures(True, [2026])
    assert (date(2026, 5, 17), "Grunnlovsdag") in closures
    assert (date(2026, 12, 25), "Første juledag") in closures
    assert closures == sorted(closures)
    assert len(closures) == 12


def test_no_holiday_closures_when_the_site_stays_open() -> None:
    assert holiday_closures(False, [2026]) == []


def test_holiday_closure_covers_the_local_day() -> None:
    closure = holiday_closure(date(2026, 5, 17), "gym")
    assert closure.reason is ClosureReason.HOLIDAY
    assert closure.interval.start == datetime(2026, 5, 16, 22, tzinfo=UTC)
    assert closure.interval.duration == timedelta(hours=24)
