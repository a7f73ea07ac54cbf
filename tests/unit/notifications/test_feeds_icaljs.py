"""The rendered feed read by ical.js under node, which trusts the embedded VTIMEZONE."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from notifications.domain.entries import Audience, BookingView, SeriesView, series_entries
from notifications.domain.feed import EntryStatus, FeedEntry, WeeklyRecurrence, render_feed
from samspill.recurrence import calendar_client_starts, weekly_occurrences

from .feed_builders import (
    OSLO,
    STAMP,
    Occurrence,
    expected_occurrences,
    feed_info,
    sample_entries,
)

JS_DIR = Path(__file__).resolve().parents[2] / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed; ical.js cannot run")


@pytest.fixture(scope="module")
def ical_js() -> Path:
    """The parse script, with `npm ci` run first when its node_modules is missing."""
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed; cannot install ical.js")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, timeout=300)
    return JS_DIR / "parse_ics.mjs"


def _parse(script: Path, body: bytes, tmp_path: Path) -> dict[str, object]:
    feed = tmp_path / "feed.ics"
    feed.write_bytes(body)
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(script), str(feed)], capture_output=True, check=True, timeout=60, text=True
    )
    parsed: dict[str, object] = json.loads(done.stdout)
    return parsed


def _occurrences(parsed: dict[str, object]) -> list[Occurrence]:
    rows = parsed["occurrences"]
    assert isinstance(rows, list)
    return sorted(
        Occurrence(row["uid"], _instant(row["start"]), _instant(row["end"]), row["status"])
        for row in rows
    )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _render(entries: Sequence[FeedEntry]) -> bytes:
    return render_feed(feed_info(), entries, stamp=STAMP)


def test_calendar_properties(ical_js: Path, tmp_path: Path) -> None:
    calendar = _parse(ical_js, _render(sample_entries()), tmp_path)["calendar"]
    assert calendar == {
        "name": feed_info().name,
        "x-wr-calname": feed_info().name,
        "x-wr-timezone": "Europe/Oslo",
        "refresh-interval": "PT1H",
        "method": "PUBLISH",
    }


def test_sample_feed_including_both_switch_nights(ical_js: Path, tmp_path: Path) -> None:
    parsed = _parse(ical_js, _render(sample_entries()), tmp_path)
    assert _occurrences(parsed) == expected_occurrences(sample_entries())


def test_season_occurrences_keep_their_wall_time(ical_js: Path, tmp_path: Path) -> None:
    parsed = _parse(ical_js, _render(sample_entries()), tmp_path)
    rows = parsed["occurrences"]
    assert isinstance(rows, list)
    season = [r for r in rows if r["uid"].startswith("series-") and r["status"] != "CANCELLED"]
    wall_times = {(r["local_start"][11:], r["local_end"][11:]) for r in season}
    assert wall_times == {("18:00:00", "20:00:00"), ("19:00:00", "21:00:00")}
    assert {r["start_tzid"] for r in season} == {"Europe/Oslo"}


def _random_series(rng: random.Random, number: int) -> FeedEntry:
    first_day = date(2026, 1, 1) + timedelta(days=rng.randrange(3 * 365))
    first = datetime.combine(first_day, time(rng.randrange(16, 22), rng.choice([0, 30])), OSLO)
    until = first + timedelta(weeks=rng.randrange(1, 70))
    starts = calendar_client_starts(first, until)
    exdates = tuple(rng.sample(starts, k=rng.randrange(len(starts))))
    return FeedEntry(
        uid=f"series-{number}@samspill.no",
        summary=f"Serie {number}",
        location="Strømmen skole, gymsal",
        description="",
        start=first,
        end=first + timedelta(minutes=rng.choice([45, 90, 120, 240])),
        status=rng.choice(list(EntryStatus)),
        sequence=rng.randrange(5),
        created=STAMP,
        last_modified=STAMP,
        recurrence=WeeklyRecurrence(until=until, exdates=exdates),
    )


def test_many_random_series_agree_with_zoneinfo(ical_js: Path, tmp_path: Path) -> None:
    rng = random.Random(20260825)
    entries = [_random_series(rng, number) for number in range(40)]
    parsed = _parse(ical_js, _render(entries), tmp_path)
    assert _occurrences(parsed) == expected_occurrences(entries)


def test_a_series_through_the_spring_gap_shows_where_booking_put_it(
    ical_js: Path, tmp_path: Path
) -> None:
    """ical.js reads 02:30 on the spring night as 01:30, RFC 5545 as 03:30; booking put it at
    03:00 (the kernel's rule). The feed lists such a series booking by booking, so ical.js
    shows each where booking put it."""
    start, end, spring = time(2, 30), time(3, 30), date(2027, 3, 28)
    first, last = spring - timedelta(weeks=1), spring + timedelta(weeks=1)
    created = datetime(2027, 1, 1, tzinfo=UTC)
    series = SeriesView(
        uuid.uuid4(), "Gymsal", "Skole", "Klubb", "natt", start, end, first, last, created
    )
    booked = weekly_occurrences([spring.weekday()], start, end, first, last)
    bookings = [
        BookingView(
            uuid.uuid4(),
            series.series_id,
            "Gymsal",
            "Skole",
            "Klubb",
            "natt",
            5,
            "",
            o.start,
            o.end,
            "confirmed",
            1,
            created,
            created,
        )
        for o in booked
    ]
    parsed = _parse(ical_js, _render(series_entries(series, bookings, Audience.PUBLIC)), tmp_path)
    assert sorted(o.start for o in _occurrences(parsed)) == [o.start for o in booked]
    assert booked[1].start == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
