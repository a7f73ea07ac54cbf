"""plan_series: weekly occurrences split into created and skipped, with the reason for each."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.domain import SeriesPlan, SkipReason, check_series, plan_series
from samspill.errors import RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import OSLO, norwegian_public_holidays

from .booking_builders import GYM_PART, busy, closure, evening_window, gym, oslo, with_rules

THURSDAY = 3
FIRST, LAST = date(2027, 3, 4), date(2027, 5, 13)  # 11 Thursdays across Easter and the DST switch
HOLIDAYS = norwegian_public_holidays([2027])
NOW = oslo(2027, 2, 1, 9)


def plan(**changes: object) -> SeriesPlan:
    arguments: dict[str, object] = {
        "space": gym(),
        "weekday": THURSDAY,
        "start": time(18),
        "end": time(20),
        "first_date": FIRST,
        "last_date": LAST,
        "windows": [evening_window()],
        "closures": [],
        "holidays": HOLIDAYS,
        "busy": [],
        "now": NOW,
    }
    arguments.update(changes)
    return plan_series(**arguments)  # type: ignore[arg-type]


def skipped(result: SeriesPlan) -> dict[date, SkipReason]:
    return {skip.date: skip.reason for skip in result.skipped}


def test_plain_series_skips_only_public_holidays() -> None:
    result = plan()
    assert skipped(result) == {
        date(2027, 3, 25): SkipReason.HOLIDAY,  # Skjærtorsdag
        date(2027, 5, 6): SkipReason.HOLIDAY,  # Kristi himmelfartsdag
    }
    assert len(result.created) == 9
    assert "Skjærtorsdag" in result.skipped[0].detail_nb


def test_created_occurrences_keep_local_wall_times_across_dst() -> None:
    result = plan()
    for occurrence in result.created:
        start, end = occurrence.start.astimezone(OSLO), occurrence.end.astimezone(OSLO)
        assert (start.hour, end.hour, start.weekday()) == (18, 20, THURSDAY)
        assert occurrence.duration == timedelta(hours=2)
    offsets = {o.start.astimezone(OSLO).utcoffset() for o in result.created}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_holidays_are_booked_when_the_site_stays_open() -> None:
    result = plan(closed_on_holidays=False)
    assert result.skipped == []
    assert len(result.created) == 11


def test_every_skip_reason() -> None:
    exam_week = Interval(oslo(2027, 4, 12), oslo(2027, 4, 17))
    part_taken = Interval(oslo(2027, 4, 22, 19), oslo(2027, 4, 22, 21))
    result = plan(
        now=oslo(2027, 3, 10, 12),
        windows=[evening_window(withdrawn=frozenset({date(2027, 4, 1)}))],
        closures=[closure(exam_week, space_id=None)],
        busy=[busy(part_taken, space_id=GYM_PART)],
    )
    assert skipped(result) == {
        date(2027, 3, 4): SkipReason.IN_PAST,
        date(2027, 3, 25): SkipReason.HOLIDAY,
        date(2027, 4, 1): SkipReason.OUTSIDE_WINDOW,
        date(2027, 4, 15): SkipReason.CLOSURE,
        date(2027, 4, 22): SkipReason.CONFLICT,
        date(2027, 5, 6): SkipReason.HOLIDAY,
    }
    conflict = next(s for s in result.skipped if s.reason is SkipReason.CONFLICT)
    assert "19:00–21:00" in conflict.detail
    assert "19:00–21:00" in conflict.detail_nb
    assert len(result.created) == 5
    assert all(o.start > oslo(2027, 3, 10, 12) for o in result.created)


def test_series_past_the_end_of_the_window_is_skipped_as_outside_window() -> None:
    result = plan(windows=[evening_window(valid_to=date(2027, 4, 30))])
    assert skipped(result)[date(2027, 5, 13)] is SkipReason.OUTSIDE_WINDOW


def test_buffer_applies_to_series_too() -> None:
    space = with_rules(gym(), buffer_minutes=30)
    earlier = Interval(oslo(2027, 3, 11, 17), oslo(2027, 3, 11, 17, 45))
    result = plan(space=space, busy=[busy(earlier)])
    assert skipped(result)[date(2027, 3, 11)] is SkipReason.CONFLICT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weekday": None}, "weekday"),
        ({"weekday": 7}, "weekday"),
        ({"start": time(20), "end": time(18)}, "end time"),
        ({"start": time(18), "end": time(18)}, "end time"),
        ({"last_date": date(2027, 3, 1)}, "last date"),
        ({"first_date": date(2027, 3, 5), "last_date": date(2027, 3, 9)}, "no dates"),
        ({"now": oslo(2027, 6, 1)}, "past"),
        ({"participants": 31}, "at most 30"),
        ({"start": time(18, 15)}, "30-minute"),
        ({"end": time(23)}, "240 minutes"),
        ({"last_date": date(2027, 9, 30)}, "180 days"),
        ({"last_date": date(9999, 12, 27)}, "180 days"),
        ({"space": gym(retired=True)}, "no longer"),
    ],
)
def test_series_wide_rule_violations(changes: dict[str, object], message: str) -> None:
    with pytest.raises(RuleViolation, match=message) as caught:
        plan(**changes)
    assert caught.value.detail_nb


@settings(max_examples=60, deadline=None)
@given(
    weekday=st.integers(0, 3),
    first=st.dates(date(2026, 9, 1), date(2027, 3, 1)),
    weeks=st.integers(1, 20),
    hour=st.integers(17, 20),
    taken_days=st.sets(st.integers(0, 140), max_size=6),
)
def test_every_occurrence_is_created_or_skipped_once(
    weekday: int, first: date, weeks: int, hour: int, taken_days: set[int]
) -> None:
    last = first + timedelta(weeks=weeks)
    taken = [
        busy(
            Interval(
                oslo(2026, 9, 1, 17) + timedelta(days=d), oslo(2026, 9, 1, 22) + timedelta(days=d)
            ),
            booking_id=f"b-{d}",
        )
        for d in taken_days
    ]
    now = oslo(2026, 8, 20)
    result = plan(
        weekday=weekday,
        start=time(hour),
        end=time(hour + 2),
        first_date=first,
        last_date=last,
        busy=taken,
        now=now,
        space=with_rules(gym(), horizon_days=400),
        holidays=norwegian_public_holidays([2026, 2027]),
    )
    created_days = [o.start.astimezone(OSLO).date() for o in result.created]
    skipped_days = [s.date for s in result.skipped]
    all_days = sorted(created_days + skipped_days)
    expected = [
        first + timedelta(days=d)
        for d in range((last - first).days + 1)
        if (first + timedelta(days=d)).weekday() == weekday
    ]
    assert all_days == expected
    for occurrence in result.created:
        assert not any(occurrence.overlaps(b.interval) for b in taken)


@settings(max_examples=80, deadline=None)
@given(
    weekday=st.integers(0, 6),
    first_offset=st.integers(-20, 200),
    days=st.integers(0, 400),
    hour=st.integers(17, 20),
)
def test_the_horizon_is_checked_on_the_last_occurrence_before_any_week_is_planned(
    weekday: int, first_offset: int, days: int, hour: int
) -> None:
    """check_series refuses exactly when some coming occurrence starts past the horizon."""
    space = gym()  # horizon 180 days
    first = NOW.date() + timedelta(days=first_offset)
    last = first + timedelta(days=days)
    occurrences = [
        oslo(day.year, day.month, day.day, hour)
        for day in (first + timedelta(days=n) for n in range(days + 1))
        if day.weekday() == weekday
    ]
    horizon = NOW + timedelta(days=180)
    too_far = any(start > horizon for start in occurrences if start >= NOW)
    if too_far:
        with pytest.raises(RuleViolation, match="180 days"):
            check_series(space, weekday, time(hour), time(hour + 2), first, last, NOW)
    else:
        check_series(space, weekday, time(hour), time(hour + 2), first, last, NOW)
