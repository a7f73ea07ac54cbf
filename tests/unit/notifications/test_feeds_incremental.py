"""A feed assembled from each entry's kept rendering has the bytes of rendering it whole."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from notifications.domain.feed import (
    EntryStatus,
    FeedInfo,
    _entry_parts,
    render_feed,
    render_feed_whole,
)

from .feed_builders import STAMP, feed_info, oslo, sample_entries, single


def test_assembled_equals_whole_for_the_sample() -> None:
    entries = sample_entries()
    assert render_feed(feed_info(), entries, stamp=STAMP) == render_feed_whole(
        feed_info(), entries, stamp=STAMP
    )


def test_another_stamp_reuses_entries_and_still_matches() -> None:
    entries = sample_entries()
    render_feed(feed_info(), entries, stamp=STAMP)
    later = STAMP + timedelta(days=3, seconds=7, microseconds=5)
    hits = _entry_parts.cache_info().hits
    body = render_feed(feed_info(), entries, stamp=later)
    assert _entry_parts.cache_info().hits >= hits + len(entries)
    assert body == render_feed_whole(feed_info(), entries, stamp=later)


def test_a_changed_entry_is_rendered_again() -> None:
    entries = sample_entries()
    changed = [
        dataclasses.replace(
            entries[1], sequence=entries[1].sequence + 1, status=EntryStatus.CANCELLED
        ),
        *entries[2:],
        entries[0],
    ]
    body = render_feed(feed_info(), changed, stamp=STAMP)
    assert body == render_feed_whole(feed_info(), changed, stamp=STAMP)
    assert body != render_feed(feed_info(), entries, stamp=STAMP)


def test_text_that_looks_like_a_stamp_is_kept() -> None:
    tricky = single(
        "booking-77@samspill.no",
        oslo(date(2026, 9, 3), 17),
        oslo(date(2026, 9, 3), 18),
        summary="DTSTAMP:19700101T000000Z\r\nDTSTAMP:19700101T000000Z " * 4,
    )
    info = FeedInfo(name="Gymsal – «øst»", description="Bookinger\r\nDTSTAMP:19700101T000000Z")
    body = render_feed(info, [tricky], stamp=STAMP)
    assert body == render_feed_whole(info, [tricky], stamp=STAMP)


def test_the_two_passes_of_the_repeated_hour_are_told_apart() -> None:
    first = oslo(date(2026, 10, 25), 2, 30)
    second = first.replace(fold=1)
    assert first == second  # same wall time, same zone: Python calls them equal
    one = single("booking-88@samspill.no", first - timedelta(hours=1), first)
    other = single("booking-88@samspill.no", first - timedelta(hours=1), second)
    for entry in (one, other, one):
        body = render_feed(feed_info(), [entry], stamp=STAMP)
        assert body == render_feed_whole(feed_info(), [entry], stamp=STAMP)


def test_empty_feed() -> None:
    assert render_feed(feed_info(), [], stamp=STAMP) == render_feed_whole(
        feed_info(), [], stamp=STAMP
    )
