"""A series handed to a club's team: every feed names the team beside the club, and each
hand-over is a change of the series (SEQUENCE and LAST-MODIFIED)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from notifications.domain.entries import Audience, booking_entries, series_uid

from .test_feeds_entries import NOW, TUESDAYS, booking, series


def test_the_team_stands_beside_the_club_in_every_feed() -> None:
    series_id = uuid.uuid4()
    days = TUESDAYS[:4]
    handed = replace(series(series_id, days[0], days[-1]), team_name="G12")
    bookings = [replace(booking(day, series_id=series_id), team_name="G12") for day in days]
    for audience in Audience:
        [master] = booking_entries(bookings, [handed], audience, now=NOW)
        assert master.summary == "Skjetten IL – G12 – fotball"
    single = replace(booking(TUESDAYS[6]), team_name="J14")
    [entry] = booking_entries([single], [], Audience.PUBLIC, now=NOW)
    assert entry.summary == "Skjetten IL – J14 – fotball"
    resident = replace(single, by_resident=True)
    [private] = booking_entries([resident], [], Audience.PUBLIC, now=NOW)
    assert "J14" not in private.summary


def test_a_hand_over_raises_the_sequence_and_last_modified() -> None:
    series_id = uuid.uuid4()
    days = TUESDAYS[:4]
    bookings = [booking(day, series_id=series_id) for day in days]
    plain = series(series_id, days[0], days[-1])
    [before] = booking_entries(bookings, [plain], Audience.PUBLIC, now=NOW)
    assert before.summary == "Skjetten IL – fotball"
    handed_at = datetime(2026, 9, 2, 8, tzinfo=UTC)
    handed = replace(plain, team_name="G12", team_changes=2, team_changed_at=handed_at)
    [after] = booking_entries(bookings, [handed], Audience.PUBLIC, now=NOW)
    assert after.uid == before.uid == series_uid(series_id)
    assert after.sequence == before.sequence + 2
    assert after.last_modified == handed_at > before.last_modified
    taken_back = replace(handed, team_name=None, team_changed_at=handed_at + timedelta(days=1))
    [back] = booking_entries(bookings, [taken_back], Audience.PUBLIC, now=NOW)
    assert back.summary == "Skjetten IL – fotball"
