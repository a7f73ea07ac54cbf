"""The three independent parsers a feed must satisfy: icalendar, recurring-ical-events, ical.js."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import recurring_ical_events
from icalendar import Calendar

from notifications.domain.entries import booking_uid, series_uid
from samspill.events import booking as bk

JS_DIR = Path(__file__).resolve().parents[2] / "js"
NODE = shutil.which("node")
WINDOW = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2035, 1, 1, tzinfo=UTC))
ICAL_STATUS = {
    "confirmed": "CONFIRMED",
    "requested": "TENTATIVE",
    "rejected": "CANCELLED",
    "cancelled": "CANCELLED",
}

Occurrence = tuple[str, datetime, datetime, str]


def expected(bookings: Iterable[bk.BookingState]) -> list[Occurrence]:
    """What every parser must expand the feed to: one occurrence per booking, in UTC."""
    return sorted(
        (
            series_uid(b.series_id) if b.series_id else booking_uid(b.booking_id),
            b.start.astimezone(UTC),
            b.end.astimezone(UTC),
            ICAL_STATUS[b.status],
        )
        for b in bookings
    )


def by_icalendar(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def by_recurring_ical_events(body: bytes) -> list[Occurrence]:
    calendar = Calendar.from_ical(body)
    return sorted(
        (
            str(event["UID"]),
            event.DTSTART.astimezone(UTC),
            event.DTEND.astimezone(UTC),
            str(event["STATUS"]),
        )
        for event in recurring_ical_events.of(calendar).between(*WINDOW)
    )


def ical_js_available() -> bool:
    return NODE is not None and (JS_DIR / "node_modules" / "ical.js").is_dir()


def by_ical_js(body: bytes) -> dict[str, object]:
    """Run Mozilla's ical.js (as Thunderbird uses it) under node on the feed."""
    assert NODE is not None
    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / "feed.ics"
        feed.write_bytes(body)
        done = subprocess.run(
            [NODE, str(JS_DIR / "parse_ics.mjs"), str(feed)],
            capture_output=True,
            check=True,
            timeout=60,
            text=True,
        )
    parsed: dict[str, object] = json.loads(done.stdout)
    return parsed


def ical_js_occurrences(parsed: dict[str, object]) -> list[Occurrence]:
    rows = parsed["occurrences"]
    assert isinstance(rows, list)
    return sorted(
        (row["uid"], _instant(row["start"]), _instant(row["end"]), row["status"]) for row in rows
    )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
