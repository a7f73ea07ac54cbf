"""render_feed: RFC 5545 / 7986 structure, parsed back with icalendar, and determinism."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar, Event

from notifications.domain.feed import (
    EntryStatus,
    FeedEntry,
    FeedInfo,
    OccurrenceOverride,
    WeeklyRecurrence,
    feed_etag,
    render_feed,
)

from .feed_builders import (
    OSLO,
    STAMP,
    feed_info,
    oslo,
    sample_entries,
    season_series,
    single,
    switch_night_entries,
    utc,
)


def _render(entries: list[FeedEntry] | None = None) -> bytes:
    return render_feed(feed_info(), sample_entries() if entries is None else entries, stamp=STAMP)


def _events(body: bytes) -> list[Event]:
    return Calendar.from_ical(body).events


def _by_uid(body: bytes, uid: str) -> list[Event]:
    return [event for event in _events(body) if str(event["UID"]) == uid]


def _unescape(value: object) -> str:
    """TEXT unescaping; icalendar parses NAME and X-WR-* as unknown and leaves them raw."""
    text = str(value)
    for escaped, plain in (("\\n", "\n"), ("\\N", "\n"), ("\\,", ","), ("\\;", ";")):
        text = text.replace(escaped, plain)
    return text.replace("\\\\", "\\")


def test_calendar_properties_follow_rfc_5545_and_7986() -> None:
    calendar = Calendar.from_ical(_render())
    info = feed_info()
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert _unescape(calendar["NAME"]) == _unescape(calendar["X-WR-CALNAME"]) == info.name
    assert str(calendar["DESCRIPTION"]) == _unescape(calendar["X-WR-CALDESC"]) == info.description
    assert calendar["X-WR-TIMEZONE"] == "Europe/Oslo"
    assert calendar.refresh_interval == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["URL"] == info.url
    assert calendar["SOURCE"] == info.url


def test_header_lines_are_written_as_specified() -> None:
    lines = _render().decode().split("\r\n")
    for expected in (
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "X-WR-TIMEZONE:Europe/Oslo",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ):
        assert expected in lines


def test_refresh_interval_comes_from_feed_info() -> None:
    info = FeedInfo(name="n", description="d", refresh_interval=timedelta(minutes=15))
    body = render_feed(info, [], stamp=STAMP).decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in body
    assert "X-PUBLISHED-TTL:PT15M\r\n" in body
    assert "URL" not in body


def test_feed_name_and_description_are_escaped_text() -> None:
    info = FeedInfo(name="Lag; A, B\nC", description="Linje 1\nLinje 2, med komma")
    body = render_feed(info, [], stamp=STAMP)
    assert b"NAME:Lag\\; A\\, B\\nC\r\n" in body
    assert b"X-WR-CALDESC:Linje 1\\nLinje 2\\, med komma\r\n" in body
    calendar = Calendar.from_ical(body)
    assert _unescape(calendar["NAME"]) == _unescape(calendar["X-WR-CALNAME"]) == info.name
    assert str(calendar["DESCRIPTION"]) == _unescape(calendar["X-WR-CALDESC"]) == info.description


def test_vtimezone_is_the_hand_written_oslo_zone() -> None:
    (zone,) = Calendar.from_ical(_render()).timezones
    assert zone["TZID"] == "Europe/Oslo"
    standard = zone.standard[0]
    daylight = zone.daylight[0]
    assert datetime(1970, 10, 25, 3) == standard.DTSTART
    assert datetime(1970, 3, 29, 2) == daylight.DTSTART
    assert standard["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert daylight["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert (timedelta(hours=2), timedelta(hours=1)) == (standard.TZOFFSETFROM, standard.TZOFFSETTO)
    assert (timedelta(hours=1), timedelta(hours=2)) == (daylight.TZOFFSETFROM, daylight.TZOFFSETTO)
    assert (standard["TZNAME"], daylight["TZNAME"]) == ("CET", "CEST")


def _probe_instants() -> list[datetime]:
    """Every 15 minutes around each switch night of 2026–2030, and mid-month noons."""
    instants = [utc(year, month, 15, 12) for year in range(2026, 2031) for month in range(1, 13)]
    for year in range(2026, 2031):
        for month in (3, 10):
            last_sunday = max(
                date(year, month, day)
                for day in range(25, 32)
                if date(year, month, day).weekday() == 6
            )
            night = datetime.combine(last_sunday, datetime.min.time(), tzinfo=UTC)
            instants += [night - timedelta(hours=2) + timedelta(minutes=15 * i) for i in range(24)]
    return instants


def _offset_mismatches(body: bytes) -> int:
    """Probe instants where the embedded VTIMEZONE disagrees with zoneinfo."""
    (zone,) = Calendar.from_ical(body).timezones
    embedded = zone.to_tz(lookup_tzid=False)
    return sum(
        instant.astimezone(embedded).utcoffset() != instant.astimezone(OSLO).utcoffset()
        for instant in _probe_instants()
    )


def test_embedded_zone_matches_zoneinfo_around_every_switch() -> None:
    assert _offset_mismatches(_render([])) == 0


def test_spring_switch_at_three_would_disagree_with_zoneinfo() -> None:
    """The 03:00 spring DTSTART (the icalendar 7 generated form) moves the switch an hour."""
    body = _render([]).replace(b"DTSTART:19700329T020000", b"DTSTART:19700329T030000")
    assert _offset_mismatches(body) > 0


def test_events_carry_every_required_property() -> None:
    for event in _events(_render()):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY"):
            assert name in event, name
        assert event.CREATED is not None
        assert event.CREATED.tzinfo is not None
        assert event.LAST_MODIFIED is not None
        assert event.LAST_MODIFIED.tzinfo is not None
        assert event.DTSTAMP == STAMP


def test_status_maps_requested_to_tentative() -> None:
    body = _render()
    assert str(_by_uid(body, "booking-12@samspill.no")[0]["STATUS"]) == "TENTATIVE"
    assert str(_by_uid(body, "booking-13@samspill.no")[0]["STATUS"]) == "CANCELLED"
    assert str(_by_uid(body, "booking-901@samspill.no")[0]["STATUS"]) == "CONFIRMED"


def test_cancelled_booking_keeps_uid_with_higher_sequence() -> None:
    start, end = oslo(date(2026, 9, 10), 19), oslo(date(2026, 9, 10), 21)
    before = render_feed(feed_info(), [single("booking-13@samspill.no", start, end)], stamp=STAMP)
    cancelled = single("booking-13@samspill.no", start, end, EntryStatus.CANCELLED, sequence=1)
    after = render_feed(feed_info(), [cancelled], stamp=STAMP)
    (old,), (new,) = _events(before), _events(after)
    assert old.uid == new.uid
    assert new.sequence > old.sequence
    assert new.status == "CANCELLED"


def test_local_times_are_written_with_tzid() -> None:
    body = _render()
    (event,) = _by_uid(body, "booking-12@samspill.no")
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert datetime(2026, 9, 3, 17, 30, tzinfo=OSLO) == event.DTSTART
    assert b"DTSTART;TZID=Europe/Oslo:20260903T173000\r\n" in body


def test_switch_night_bookings_parse_to_the_same_instants() -> None:
    body = _render(switch_night_entries())
    parsed = {str(e["UID"]): (e.DTSTART, e.DTEND) for e in _events(body)}
    for entry in switch_night_entries():
        start, end = parsed[entry.uid]
        assert start.astimezone(UTC) == entry.start
        assert end.astimezone(UTC) == entry.end


def test_wall_times_of_the_repeated_hour_are_written_in_utc() -> None:
    """02:30 happens twice on 2026-10-25; RFC 5545 and ical.js resolve it differently."""
    body = _render(switch_night_entries())
    assert b"DTEND:20261025T003000Z\r\n" in body  # 02:30 CEST
    assert b"DTSTART:20261025T003000Z\r\n" in body  # 02:30 CEST
    assert b"DTEND:20261025T013000Z\r\n" in body  # 02:30 CET
    assert b"DTEND;TZID=Europe/Oslo:20261025T030000\r\n" in body
    assert b"DTEND;TZID=Europe/Oslo:20270328T033000\r\n" in body


def test_series_has_rrule_until_in_utc_and_local_exdates() -> None:
    body = _render([season_series()])
    master = next(e for e in _events(body) if "RECURRENCE-ID" not in e)
    (rrule,) = master.rrules
    assert rrule["FREQ"] == ["WEEKLY"]
    assert rrule["UNTIL"] == [datetime(2027, 4, 27, 16, tzinfo=UTC)]
    assert master.exdates == [
        datetime(2026, 10, 6, 18, tzinfo=OSLO),
        datetime(2026, 12, 29, 18, tzinfo=OSLO),
    ]
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20270427T160000Z\r\n" in body
    assert b"EXDATE;TZID=Europe/Oslo:20261006T180000,20261229T180000\r\n" in body


def test_overrides_follow_their_series_with_recurrence_id() -> None:
    events = _by_uid(_render([season_series()]), "series-41@samspill.no")
    assert [e.get("RECURRENCE-ID") is None for e in events] == [True, False, False]
    cancelled, moved = events[1], events[2]
    assert datetime(2027, 2, 16, 18, tzinfo=OSLO) == cancelled.RECURRENCE_ID
    assert cancelled.status == "CANCELLED"
    assert cancelled.sequence == 5
    assert "vinterferie" in str(cancelled["DESCRIPTION"])
    assert datetime(2027, 3, 30, 19, tzinfo=OSLO) == moved.DTSTART
    assert str(moved["DESCRIPTION"]) == str(events[0]["DESCRIPTION"])


def test_text_is_escaped_and_round_trips_with_norwegian_letters() -> None:
    body = _render([season_series()])
    assert b"LOCATION:Skjetten skole\\, gymsal\r\n" in body
    master = _events(body)[0]
    assert str(master["SUMMARY"]) == "Skjetten Håndballklubb – håndball G12"
    assert str(master["DESCRIPTION"]) == season_series().description
    long_summary = str(_by_uid(_render(), "booking-12@samspill.no")[0]["SUMMARY"])
    assert long_summary.startswith("Lillestrøm Turn og Idrettsforening – ærlig øving på åpen")
    assert "Lillestrøm".encode() in _render()


def test_lines_are_crlf_and_folded_at_75_octets() -> None:
    body = _render()
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "the long summary must be folded"
    for line in lines:
        line.decode()  # a fold never splits a UTF-8 sequence


def test_same_data_renders_same_bytes_whatever_the_order() -> None:
    entries = sample_entries()
    shuffled = list(entries)
    random.Random(7).shuffle(shuffled)
    assert _render(entries) == _render(shuffled)


def test_entries_are_sorted_by_start() -> None:
    starts = [e.DTSTART for e in _events(_render()) if "RECURRENCE-ID" not in e]
    assert starts == sorted(starts, key=lambda dt: dt.astimezone(UTC))


def test_stamp_changes_only_dtstamp() -> None:
    later = render_feed(feed_info(), sample_entries(), stamp=STAMP + timedelta(hours=1))
    assert later != _render()
    assert later.replace(b"DTSTAMP:20260820T103000Z", b"DTSTAMP:20260820T093000Z") == _render()


def test_etag_is_strong_and_follows_the_body() -> None:
    body = _render()
    etag = feed_etag(body)
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert len(etag) == 34
    assert etag == feed_etag(_render())
    assert etag != feed_etag(body + b" ")


def test_duplicate_uids_are_refused() -> None:
    entry = single("booking-1@samspill.no", utc(2026, 9, 1, 16), utc(2026, 9, 1, 18))
    with pytest.raises(ValueError, match="unique"):
        render_feed(feed_info(), [entry, entry], stamp=STAMP)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start", datetime(2026, 9, 1, 18), "timezone-aware"),
        ("end", utc(2026, 9, 1, 16), "after start"),
        ("sequence", -1, "sequence"),
        ("uid", "booking 1", "uid"),
    ],
)
def test_invalid_entries_are_refused(field: str, value: object, message: str) -> None:
    values: dict[str, object] = {
        "uid": "booking-1@samspill.no",
        "summary": "s",
        "location": "l",
        "description": "",
        "start": utc(2026, 9, 1, 16),
        "end": utc(2026, 9, 1, 18),
        "status": EntryStatus.CONFIRMED,
        "sequence": 0,
        "created": STAMP,
        "last_modified": STAMP,
    }
    values[field] = value
    with pytest.raises(ValueError, match=message):
        FeedEntry(**values)  # type: ignore[arg-type]


def _series_with(recurrence: WeeklyRecurrence) -> FeedEntry:
    return FeedEntry(
        uid="series-1@samspill.no",
        summary="s",
        location="l",
        description="",
        start=oslo(date(2026, 9, 1), 18),
        end=oslo(date(2026, 9, 1), 20),
        status=EntryStatus.CONFIRMED,
        sequence=0,
        created=STAMP,
        last_modified=STAMP,
        recurrence=recurrence,
    )


def test_exdate_must_be_an_occurrence_of_the_series() -> None:
    until = oslo(date(2026, 12, 1), 18)
    with pytest.raises(ValueError, match="not an occurrence"):
        _series_with(WeeklyRecurrence(until=until, exdates=(oslo(date(2026, 9, 2), 18),)))
    with pytest.raises(ValueError, match="not an occurrence"):
        _series_with(WeeklyRecurrence(until=until, exdates=(oslo(date(2026, 9, 8), 17),)))


def test_override_and_exdate_of_the_same_occurrence_are_refused() -> None:
    day = date(2026, 9, 8)
    override = OccurrenceOverride(
        recurrence_id=oslo(day, 18),
        start=oslo(day, 18),
        end=oslo(day, 20),
        status=EntryStatus.CANCELLED,
        sequence=1,
        last_modified=STAMP,
    )
    until = oslo(date(2026, 12, 1), 18)
    with pytest.raises(ValueError, match="overridden"):
        _series_with(WeeklyRecurrence(until=until, exdates=(oslo(day, 18),), overrides=(override,)))


def test_until_before_the_first_start_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first start"):
        _series_with(WeeklyRecurrence(until=oslo(date(2026, 8, 25), 18)))
