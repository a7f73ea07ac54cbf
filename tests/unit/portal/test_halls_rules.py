"""The rules behind "find a free hall": the search form's fields, the default day, the week
grid (every hour in exactly one state, intervals clipped to the day), prices and feed links."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.halls import (
    HallInputError,
    Hours,
    HourState,
    default_day,
    free_on,
    parse_choice,
    parse_day,
    parse_hours,
    parse_size,
    price_lines,
    released_hours,
    week_days,
    week_grid,
)
from samspill.intervals import Interval
from samspill.pricing import BookerCategory, PriceRule, SpaceKind
from samspill.recurrence import OSLO, resolve_local

TODAY = date(2027, 3, 8)  # a Monday; the rules take "today" as an argument


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return resolve_local(day, time(hour, minute))


# --- the form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-09", date(2027, 3, 9)),
        ("9.3.2027", date(2027, 3, 9)),
        ("09.03.27", date(2027, 3, 9)),
        ("9.3", date(2027, 3, 9)),
        ("", None),
        (None, None),
    ],
)
def test_a_day_is_read_the_iso_or_the_norwegian_way(text: str | None, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


def test_a_day_without_a_year_is_the_next_such_day() -> None:
    assert parse_day("5.1", date(2027, 12, 20)) == date(2028, 1, 5)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31.02", "not_a_date"),
        ("31.02.2027", "not_a_date"),
        ("tomorrow", "not_a_date"),
        ("2027-02-30", "not_a_date"),
        ("2027-03-07", "past"),
        ("2028-03-08", "too_far"),
    ],
)
def test_a_day_that_cannot_be_searched_is_refused(text: str, code: str) -> None:
    with pytest.raises(HallInputError) as refused:
        parse_day(text, TODAY)
    assert (refused.value.field, refused.value.code) == ("dato", code)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2027, 3, 8, 12, tzinfo=OSLO), date(2027, 3, 8)),  # Monday noon: tonight
        (datetime(2027, 3, 8, 17, tzinfo=OSLO), date(2027, 3, 9)),  # the evening has begun
        (datetime(2027, 3, 12, 18, tzinfo=OSLO), date(2027, 3, 15)),  # Friday night: Monday
        (datetime(2027, 3, 13, 10, tzinfo=OSLO), date(2027, 3, 15)),  # Saturday: Monday
        (datetime(2027, 3, 24, 20, tzinfo=OSLO), date(2027, 3, 30)),  # Easter: after Monday
        (datetime(2027, 3, 8, 22, 30, tzinfo=UTC), date(2027, 3, 9)),  # 23:30 in Oslo
    ],
)
def test_the_default_day_is_the_next_ordinary_evening(now: datetime, expected: date) -> None:
    assert default_day(now) == expected


def test_hours_default_to_the_evening_and_read_a_few_ways() -> None:
    assert parse_hours(None, "") == Hours(17, 22)
    assert parse_hours("8", "16:00") == Hours(8, 16)
    assert parse_hours("18.00", "0") == Hours(18, 24)


@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        ("25", "26", "fra", "not_an_hour"),
        ("24", "24", "fra", "not_an_hour"),
        ("17:30", "22", "fra", "not_an_hour"),
        ("evening", "22", "fra", "not_an_hour"),
        ("20", "18", "til", "end_before_start"),
        ("20", "20", "til", "end_before_start"),
    ],
)
def test_hours_that_are_no_span_are_refused(start: str, end: str, field: str, code: str) -> None:
    with pytest.raises(HallInputError) as refused:
        parse_hours(start, end)
    assert (refused.value.field, refused.value.code) == (field, code)


@pytest.mark.parametrize("text", ["-3", "0", "abc", "1.5", "1000000"])
def test_a_size_is_a_whole_number_of_people(text: str) -> None:
    with pytest.raises(HallInputError) as refused:
        parse_size(text)
    assert refused.value.field == "storrelse"


def test_a_size_may_be_left_out() -> None:
    assert parse_size(" ") is None
    assert parse_size("40") == 40


def test_an_unknown_choice_is_refused_not_ignored() -> None:
    assert parse_choice("kjeller", "bydel", ["kjeller"]) == "kjeller"
    assert parse_choice("", "bydel", ["kjeller"]) is None
    with pytest.raises(HallInputError) as refused:
        parse_choice("atlantis", "bydel", ["kjeller"])
    assert (refused.value.field, refused.value.code) == ("bydel", "unknown")


# --- the week grid ----------------------------------------------------------------------------

DAY = date(2027, 3, 9)
BEFORE = at(DAY, 8)


def test_the_grid_tells_free_booked_closed_not_released_and_past_apart() -> None:
    released = [Interval(at(DAY, 17), at(DAY, 22))]
    closed = [Interval(at(DAY, 21), at(DAY + timedelta(days=1), 6))]
    free = [Interval(at(DAY, 18), at(DAY, 21))]
    [day] = week_grid([DAY], Hours(16, 23), released, closed, free, now=BEFORE)
    states = {cell.hour: cell.state for cell in day.cells}
    assert states == {
        16: HourState.NOT_RELEASED,
        17: HourState.BOOKED,
        18: HourState.FREE,
        19: HourState.FREE,
        20: HourState.FREE,
        21: HourState.CLOSED,
        22: HourState.CLOSED,
    }
    [later] = week_grid([DAY], Hours(16, 23), released, closed, free, now=at(DAY, 19, 30))
    assert [c.state for c in later.cells][:4] == [HourState.PAST] * 4
    assert later.cells[4].state is HourState.FREE


def test_an_hour_partly_released_and_all_free_counts_as_free() -> None:
    released = [Interval(at(DAY, 17, 30), at(DAY, 19))]
    [day] = week_grid([DAY], Hours(17, 19), released, [], released, now=BEFORE)
    assert [c.state for c in day.cells] == [HourState.FREE, HourState.FREE]


def test_the_clock_change_leaves_out_the_hour_that_does_not_exist() -> None:
    spring = date(2027, 3, 28)  # 02:00 → 03:00 in Oslo
    [day] = week_grid([spring], Hours(0, 5), [], [], [], now=BEFORE)
    assert [c.hour for c in day.cells] == [0, 1, 3, 4]


FIRST = date(2027, 3, 8)
WEEK = week_days(FIRST)
SPAN = (at(FIRST, 0) - timedelta(days=1), at(FIRST, 0) + timedelta(days=9))


@st.composite
def intervals(draw: st.DrawFn) -> list[Interval]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, int((SPAN[1] - SPAN[0]).total_seconds() // 900) - 1))
        length = draw(st.integers(1, 4 * 40))
        begin = SPAN[0] + timedelta(minutes=15 * start)
        found.append(Interval(begin, begin + timedelta(minutes=15 * length)))
    return found


hour_ranges = st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda h: h[0] < h[1])


@given(intervals(), intervals(), intervals(), hour_ranges, st.integers(-48, 24 * 8))
def test_every_hour_of_the_grid_is_in_exactly_one_state(
    released: list[Interval],
    closed: list[Interval],
    free: list[Interval],
    hours: tuple[int, int],
    now_hours: int,
) -> None:
    span = Hours(*hours)
    now = at(FIRST, 0) + timedelta(hours=now_hours)
    grid = week_grid(WEEK, span, released, closed, free, now)
    assert [d.day for d in grid] == WEEK
    for day in grid:
        assert [c.hour for c in day.cells] == list(span.each)  # no clock change this week
        assert all(isinstance(c.state, HourState) for c in day.cells)


@given(intervals(), intervals(), intervals(), hour_ranges)
def test_intervals_are_clipped_to_the_day(
    released: list[Interval],
    closed: list[Interval],
    free: list[Interval],
    hours: tuple[int, int],
) -> None:
    """What lies outside a day's hours never changes that day's cells."""
    span = Hours(*hours)
    grid = week_grid(WEEK, span, released, closed, free, now=SPAN[0])
    for day in grid:
        window = span.on(day.day)
        assert window is not None

        def clip(items: list[Interval], window: Interval = window) -> list[Interval]:
            return [
                Interval(max(i.start, window.start), min(i.end, window.end))
                for i in items
                if i.overlaps(window)
            ]

        [alone] = week_grid([day.day], span, clip(released), clip(closed), clip(free), SPAN[0])
        assert alone == day
        for cell in day.cells:
            if cell.state is HourState.FREE:
                hour = Interval(at(day.day, cell.hour), at(day.day, cell.hour) + timedelta(hours=1))
                assert any(f.overlaps(hour) for f in free)


def test_free_times_of_a_day_are_clipped_to_the_hours_asked_for() -> None:
    free = [Interval(at(DAY, 15), at(DAY, 18)), Interval(at(DAY, 20), at(DAY, 23))]
    found = free_on(DAY, Hours(17, 22), free)
    assert found == [Interval(at(DAY, 17), at(DAY, 18)), Interval(at(DAY, 20), at(DAY, 22))]


def test_a_halls_grid_covers_its_released_hours() -> None:
    released = [
        Interval(at(DAY, 17), at(DAY, 22)),
        Interval(at(DAY + timedelta(days=4), 9), at(DAY + timedelta(days=4), 20, 30)),
    ]
    assert released_hours(released) == Hours(9, 22)
    assert released_hours([]) == Hours(17, 22)
    assert released_hours([Interval(at(DAY, 20), at(DAY + timedelta(days=1), 0))]) == Hours(20, 24)


# --- prices and links -------------------------------------------------------------------------


def test_children_and_youth_are_free_unless_a_rule_says_otherwise() -> None:
    rules = [
        PriceRule(None, None, BookerCategory.NON_PROFIT, 10_000, None, 15_000),
        PriceRule(None, SpaceKind.GYM, BookerCategory.NON_PROFIT, 15_000, None, 20_000),
        PriceRule("hall", None, BookerCategory.COMMERCIAL, 60_000, 70_000, 80_000),
    ]
    lines = {line.category: line for line in price_lines("hall", "gym", rules)}
    assert lines[BookerCategory.CHILDREN_YOUTH].free
    assert lines[BookerCategory.NON_PROFIT].hourly_ore == 15_000
    assert lines[BookerCategory.COMMERCIAL].evening_ore == 70_000
    assert BookerCategory.PRIVATE not in lines
    priced = [PriceRule(None, None, BookerCategory.CHILDREN_YOUTH, 5_000), *rules]
    assert not {line.category: line for line in price_lines("x", "gym", priced)}[
        BookerCategory.CHILDREN_YOUTH
    ].free
