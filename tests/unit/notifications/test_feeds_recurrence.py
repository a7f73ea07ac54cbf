"""Weekly series expanded by recurring-ical-events: wall time kept across DST, EXDATEs skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from notifications.domain.feed import EntryStatus, FeedEntry, WeeklyRecurrence, render_feed
from samspill.recurrence import calendar_client_starts

from .feed_builders import (
    OSLO,
    SEASON_EXDATES,
    SECOND_PASS_UID,
    STAMP,
    Occurrence,
    expected_occurrences,
    feed_info,
    oslo,
    sample_entries,
    season_series,
    weekly_days,
)

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))


def _expand(body: bytes) -> list[Occurrence]:
    calendar = Calendar.from_ical(body)
    return sorted(
        Occurrence(
            str(event["UID"]),
            event.DTSTART.astimezone(UTC),
            event.DTEND.astimezone(UTC),
            str(event["STATUS"]),
        )
        for event in recurring_ical_events.of(calendar).between(*WINDOW)
    )


def test_sample_feed_expands_to_the_expected_occurrences() -> None:
    entries = [e for e in sample_entries() if e.uid != SECOND_PASS_UID]
    body = render_feed(feed_info(), entries, stamp=STAMP)
    assert _expand(body) == expected_occurrences(entries)


@pytest.mark.xfail(
    strict=True,
    reason="recurring-ical-events moves UTC times into X-WR-TIMEZONE and loses the fold: "
    "02:30 CET (01:30Z) comes back as 02:30 CEST; ical.js reads the UTC time right",
)
def test_end_in_the_second_pass_of_the_repeated_hour() -> None:
    entries = [e for e in sample_entries() if e.uid == SECOND_PASS_UID]
    body = render_feed(feed_info(), entries, stamp=STAMP)
    assert _expand(body) == expected_occurrences(entries)


def test_season_keeps_18_to_20_oslo_across_both_switches() -> None:
    body = render_feed(feed_info(), [season_series()], stamp=STAMP)
    occurrences = [o for o in _expand(body) if o.start.astimezone(OSLO).date() != date(2027, 3, 30)]
    assert len(occurrences) > 30
    for occurrence in occurrences:
        assert occurrence.start.astimezone(OSLO).time() == time(18)
        assert occurrence.end.astimezone(OSLO).time() == time(20)
    utc_hours = {o.start.hour for o in occurrences}
    assert utc_hours == {16, 17}, "summer and winter occurrences sit at different UTC hours"


def test_occurrences_next_to_the_switches() -> None:
    body = render_feed(feed_info(), [season_series()], stamp=STAMP)
    starts = {o.start for o in _expand(body)}
    assert datetime(2026, 10, 20, 16, tzinfo=UTC) in starts  # last Tuesday of CEST
    assert datetime(2026, 10, 27, 17, tzinfo=UTC) in starts  # first Tuesday of CET
    assert datetime(2027, 3, 23, 17, tzinfo=UTC) in starts  # last Tuesday of CET
    assert datetime(2027, 4, 6, 16, tzinfo=UTC) in starts  # a Tuesday of CEST


def test_exdates_are_skipped_and_overrides_applied() -> None:
    body = render_feed(feed_info(), [season_series()], stamp=STAMP)
    by_day = {o.start.astimezone(OSLO).date(): o for o in _expand(body)}
    for skipped in SEASON_EXDATES:
        assert skipped not in by_day
    assert by_day[date(2027, 2, 16)].status == "CANCELLED"
    moved = by_day[date(2027, 3, 30)]
    assert (moved.start, moved.end) == (oslo(date(2027, 3, 30), 19), oslo(date(2027, 3, 30), 21))
    assert len(by_day) == len(weekly_days(date(2026, 9, 1), date(2027, 4, 27))) - 2


@st.composite
def weekly_series(draw: st.DrawFn) -> FeedEntry:
    first_day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 6, 30)))
    hour = draw(st.integers(min_value=16, max_value=21))
    minute = draw(st.sampled_from([0, 15, 30, 45]))
    length = draw(st.integers(min_value=30, max_value=180))
    weeks = draw(st.integers(min_value=1, max_value=60))
    first = datetime.combine(first_day, time(hour, minute), tzinfo=OSLO)
    until = first + timedelta(weeks=weeks - 1, hours=draw(st.sampled_from([0, 1, 30])))
    starts = calendar_client_starts(first, until)
    exdates = draw(st.lists(st.sampled_from(starts), unique=True, max_size=len(starts) - 1))
    return FeedEntry(
        uid="series-7@samspill.no",
        summary="Trening",
        location="Kjeller skole, gymsal",
        description="",
        start=first,
        end=first + timedelta(minutes=length),
        status=EntryStatus.CONFIRMED,
        sequence=0,
        created=STAMP,
        last_modified=STAMP,
        recurrence=WeeklyRecurrence(until=until, exdates=tuple(exdates)),
    )


@settings(max_examples=40, deadline=None)
@given(weekly_series())
def test_any_weekly_series_expands_like_the_calendar_says(entry: FeedEntry) -> None:
    body = render_feed(feed_info(), [entry], stamp=STAMP)
    expanded = _expand(body)
    assert expanded == expected_occurrences([entry])
    wall_start = entry.start.astimezone(OSLO).time()
    assert all(o.start.astimezone(OSLO).time() == wall_start for o in expanded)
    assert all(o.end - o.start == entry.end - entry.start for o in expanded)


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=80),
)
def test_weekly_occurrences_keep_wall_time_and_count(first: datetime, weeks: int) -> None:
    local = first.astimezone(OSLO)
    until = (local.replace(tzinfo=None) + timedelta(weeks=weeks)).replace(tzinfo=OSLO)
    starts = calendar_client_starts(first, until)
    assert len(starts) == weeks + 1
    assert starts[0] == first
    for start in starts[1:]:
        assert start.astimezone(OSLO).replace(tzinfo=None).time() in {
            local.time(),
            (local + timedelta(hours=1)).time(),  # a wall time inside the spring gap
        }
