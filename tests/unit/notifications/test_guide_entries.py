"""The guide's one weekly iCal entry per activity."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from notifications.domain.guide import GuideView, activity_key, first_day, guide_entry

AT = datetime(2030, 1, 1, tzinfo=UTC)


def view(**changes: object) -> GuideView:
    values: dict[str, object] = {
        "series_id": uuid.uuid4(),
        "organisation_name": "Skjetten HK",
        "team_name": None,
        "site_name": "Skjetten skole",
        "district": "strommen",
        "space_name": "Gymsalen",
        "weekday": 2,
        "local_start_time": time(17, 30),
        "local_end_time": time(19),
        "first_date": date(2030, 1, 7),  # a Monday
        "last_date": date(2030, 3, 31),
        "description": "Håndball.",
        "activity": "Håndball",
        "age_group": "children",
        "level": "beginner",
        "languages": ("nb",),
        "takes_new_members": True,
        "how_to_join": "https://klubben.example.org",
        "changes": 2,
        "published_at": AT,
        "changed_at": AT,
    }
    return GuideView(**{**values, **changes})  # type: ignore[arg-type]


def test_the_entry_starts_on_the_first_weekday_and_repeats_until_the_last():
    entry = guide_entry(view())
    assert entry is not None
    assert first_day(view()) == date(2030, 1, 9)
    assert entry.start == datetime(2030, 1, 9, 16, 30, tzinfo=UTC)
    assert entry.end - entry.start == timedelta(minutes=90)
    assert entry.recurrence is not None
    # The last Wednesday on or before the last date, still in winter time (CET).
    assert entry.recurrence.until == datetime(2030, 3, 27, 16, 30, tzinfo=UTC)
    assert entry.sequence == 2
    assert "https://klubben.example.org" in entry.description
    assert entry.summary == "Håndball – Skjetten HK"


def test_no_date_of_its_weekday_means_no_entry():
    assert guide_entry(view(first_date=date(2030, 1, 7), last_date=date(2030, 1, 8))) is None


def test_activities_match_by_key():
    assert activity_key("  Håndball   G12 ") == activity_key("håndball g12")
