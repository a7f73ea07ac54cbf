"""Pure iCalendar (RFC 5545 / RFC 7986) rendering of booking and loan feeds.

The same input always renders the same bytes: entries are sorted, DTSTAMP comes
from the caller's `stamp`, and the Europe/Oslo VTIMEZONE is written by hand so
that every parser (zoneinfo-based or trusting the embedded zone) agrees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from operator import methodcaller

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vDuration, vRecur, vText

from notifications.domain.localtime import (
    is_in_repeated_hour,
    require_aware,
    to_oslo,
    to_utc,
)
from samspill.recurrence import OSLO_TZID, calendar_client_starts, weekly_starts

PRODID = "-//Lillestrom kommune//Samspill//NB"
DEFAULT_REFRESH_INTERVAL = timedelta(hours=1)
ETAG_HEX_LENGTH = 32


class EntryStatus(StrEnum):
    CONFIRMED = "confirmed"
    REQUESTED = "requested"
    CANCELLED = "cancelled"


_ICAL_STATUS: dict[EntryStatus, str] = {
    EntryStatus.CONFIRMED: "CONFIRMED",
    EntryStatus.REQUESTED: "TENTATIVE",
    EntryStatus.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True, slots=True)
class OccurrenceOverride:
    """One occurrence of a series that differs from it (moved, cancelled, requested)."""

    recurrence_id: datetime
    start: datetime
    end: datetime
    status: EntryStatus
    sequence: int
    last_modified: datetime
    description: str | None = None

    def __post_init__(self) -> None:
        for name in ("recurrence_id", "start", "end", "last_modified"):
            require_aware(getattr(self, name), name)
        _require_period(self.start, self.end)
        _require_sequence(self.sequence)


@dataclass(frozen=True, slots=True)
class WeeklyRecurrence:
    """Weekly from the entry's first start, keeping its Oslo wall time.

    `until` is the latest start an occurrence may have (inclusive). `exdates` are
    the original starts of skipped occurrences.
    """

    until: datetime
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[OccurrenceOverride, ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.until, "until")
        for exdate in self.exdates:
            require_aware(exdate, "exdate")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One booking, loan or booking series as it appears in a feed."""

    uid: str
    summary: str
    location: str
    description: str
    start: datetime
    end: datetime
    status: EntryStatus
    sequence: int
    created: datetime
    last_modified: datetime
    recurrence: WeeklyRecurrence | None = None
    all_day: bool = False

    def __post_init__(self) -> None:
        # `split()` cuts at exactly the characters `str.isspace` names, in one C call.
        if self.uid.split() != [self.uid]:
            raise ValueError(f"uid must be non-empty without whitespace: {self.uid!r}")
        for name in ("start", "end", "created", "last_modified"):
            require_aware(getattr(self, name), name)
        _require_period(self.start, self.end)
        _require_sequence(self.sequence)
        if self.all_day:
            _check_all_day(self)
        if self.recurrence is not None:
            _check_recurrence(self.start, self.recurrence)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    name: str
    description: str
    url: str | None = None
    refresh_interval: timedelta = field(default=DEFAULT_REFRESH_INTERVAL)

    def __post_init__(self) -> None:
        if self.refresh_interval <= timedelta(0):
            raise ValueError("refresh_interval must be positive")


def render_feed(info: FeedInfo, entries: Sequence[FeedEntry], *, stamp: datetime) -> bytes:
    """Render a complete VCALENDAR; `stamp` (the newest change in the data) becomes DTSTAMP.

    Assembled from each entry's rendered events, kept per entry (every value it renders, so
    also its uid and sequence): after a change only the changed entries are rendered again.
    The bytes are those of rendering the whole calendar at once.
    """
    require_aware(stamp, "stamp")
    _require_unique_uids(entries)
    stamp_line = _stamp_line(to_utc(stamp))
    parts = [_calendar_head(info)]
    for entry in sorted(entries, key=lambda e: (to_utc(e.start), e.uid)):
        parts.append(stamp_line.join(_entry_parts(entry, _instants(entry))))
    parts.append(_CALENDAR_END)
    return b"".join(parts)


def render_feed_whole(info: FeedInfo, entries: Sequence[FeedEntry], *, stamp: datetime) -> bytes:
    """The whole calendar built as one icalendar tree: the reference `render_feed` matches."""
    require_aware(stamp, "stamp")
    _require_unique_uids(entries)
    calendar = _calendar_header(info)
    calendar.add_component(oslo_vtimezone())
    for entry in sorted(entries, key=lambda e: (to_utc(e.start), e.uid)):
        for event in _entry_events(entry, stamp):
            calendar.add_component(event)
    return bytes(calendar.to_ical(sorted=False))


# Entries are rendered with a placeholder DTSTAMP, which is then replaced by the feed's; a
# line that starts right after a line break can only be a property, never folded text.
_PLACEHOLDER_STAMP = datetime(1970, 1, 1, tzinfo=UTC)
_CALENDAR_END = b"END:VCALENDAR\r\n"
# Rendered entries kept: a few busy sites' feeds (a few hundred bytes to a few KiB each).
ENTRY_CACHE_SIZE = 20_000


def _instants(entry: FeedEntry) -> tuple[datetime, ...]:
    """The entry's times in UTC: two wall times that differ only in `fold` (the repeated
    autumn hour) compare equal, so the entry alone would not tell them apart as a key."""
    times = [entry.start, entry.end, entry.created, entry.last_modified]
    if entry.recurrence is not None:
        times += [entry.recurrence.until, *entry.recurrence.exdates]
        for override in entry.recurrence.overrides:
            times += [override.recurrence_id, override.start, override.end]
    return tuple(map(_IN_UTC, times))


# `to_utc` without a Python call per value: a busy feed takes thousands of them per render.
_IN_UTC = methodcaller("astimezone", UTC)


@lru_cache(maxsize=ENTRY_CACHE_SIZE)
def _entry_parts(entry: FeedEntry, instants: tuple[datetime, ...]) -> tuple[bytes, ...]:
    """The entry's VEVENTs as bytes, split where the feed's DTSTAMP line goes; `instants`
    is part of the key only."""
    rendered = b"".join(
        bytes(event.to_ical(sorted=False)) for event in _entry_events(entry, _PLACEHOLDER_STAMP)
    )
    return tuple(rendered.split(_stamp_line(_PLACEHOLDER_STAMP)))


@lru_cache(maxsize=1024)
def _stamp_line(stamp: datetime) -> bytes:
    """`\\r\\nDTSTAMP:…\\r\\n`, exactly as a rendered event holds it."""
    event = Event()
    event.add("dtstamp", stamp)
    lines = bytes(event.to_ical(sorted=False))
    return lines.removeprefix(b"BEGIN:VEVENT").removesuffix(b"END:VEVENT\r\n")


@lru_cache(maxsize=1024)
def _calendar_head(info: FeedInfo) -> bytes:
    """The calendar's properties and time zone: everything before the first event."""
    calendar = _calendar_header(info)
    calendar.add_component(oslo_vtimezone())
    return bytes(calendar.to_ical(sorted=False)).removesuffix(_CALENDAR_END)


def feed_etag(body: bytes) -> str:
    """Strong ETag: a quoted prefix of the body's SHA-256."""
    return f'"{hashlib.sha256(body).hexdigest()[:ETAG_HEX_LENGTH]}"'


def oslo_vtimezone() -> Timezone:
    """Europe/Oslo as EU rules since 1996, switch times in the local time before the change."""
    zone = Timezone()
    zone.add("tzid", OSLO_TZID)
    zone.add_component(_observance(TimezoneStandard(), "CET", (1970, 10, 25, 3), 10, 2, 1))
    zone.add_component(_observance(TimezoneDaylight(), "CEST", (1970, 3, 29, 2), 3, 1, 2))
    return zone


def _observance(
    observance: TimezoneStandard | TimezoneDaylight,
    name: str,
    start: tuple[int, int, int, int],
    month: int,
    hours_from: int,
    hours_to: int,
) -> TimezoneStandard | TimezoneDaylight:
    observance.add("dtstart", datetime(*start))  # floating local time, by definition
    observance.add("rrule", vRecur(freq="YEARLY", bymonth=month, byday="-1SU"))
    observance.add("tzoffsetfrom", timedelta(hours=hours_from))
    observance.add("tzoffsetto", timedelta(hours=hours_to))
    observance.add("tzname", name)
    return observance


def _calendar_header(info: FeedInfo) -> Calendar:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar types NAME and X- values as unknown and would not escape them
    calendar.add("name", vText(info.name))
    calendar.add("x-wr-calname", vText(info.name))
    calendar.add("description", info.description)
    calendar.add("x-wr-caldesc", vText(info.description))
    calendar.add("x-wr-timezone", OSLO_TZID)
    calendar.add("refresh-interval", info.refresh_interval, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(info.refresh_interval))
    if info.url is not None:
        calendar.add("url", info.url)
        calendar.add("source", info.url, parameters={"VALUE": "URI"})
    return calendar


def _entry_events(entry: FeedEntry, stamp: datetime) -> Iterable[Event]:
    if entry.all_day:
        master = _all_day_event(entry.uid, entry.start, entry.end, stamp)
    else:
        master = _event(entry.uid, entry.start, entry.end, stamp)
    if entry.recurrence is not None:
        _add_recurrence(master, entry.recurrence)
    _add_details(master, entry.summary, entry.location, entry.description)
    _add_state(master, entry.status, entry.sequence, entry.created, entry.last_modified)
    yield master
    if entry.recurrence is not None:
        for override in sorted(entry.recurrence.overrides, key=lambda o: o.recurrence_id):
            yield _override_event(entry, override, stamp)


def _override_event(entry: FeedEntry, override: OccurrenceOverride, stamp: datetime) -> Event:
    event = _event(entry.uid, override.start, override.end, stamp)
    event.add("recurrence-id", to_oslo(override.recurrence_id))
    description = entry.description if override.description is None else override.description
    _add_details(event, entry.summary, entry.location, description)
    _add_state(event, override.status, override.sequence, entry.created, override.last_modified)
    return event


def _event(uid: str, start: datetime, end: datetime, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", to_utc(stamp))
    event.add("dtstart", _ical_time(start))
    event.add("dtend", _ical_time(end))
    return event


def _all_day_event(uid: str, start: datetime, end: datetime, stamp: datetime) -> Event:
    """DTSTART/DTEND as DATE values: the Oslo days, DTEND the day after the last (exclusive)."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", to_utc(stamp))
    event.add("dtstart", to_oslo(start).date())
    event.add("dtend", to_oslo(end).date())
    return event


def _add_recurrence(event: Event, recurrence: WeeklyRecurrence) -> None:
    event.add("rrule", vRecur(freq="WEEKLY", until=to_utc(recurrence.until)))
    if recurrence.exdates:
        event.add("exdate", [to_oslo(exdate) for exdate in sorted(recurrence.exdates)])


def _add_details(event: Event, summary: str, location: str, description: str) -> None:
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)


def _add_state(
    event: Event, status: EntryStatus, sequence: int, created: datetime, last_modified: datetime
) -> None:
    event.add("status", _ICAL_STATUS[status])
    event.add("sequence", sequence)
    event.add("created", to_utc(created))
    event.add("last-modified", to_utc(last_modified))


def _ical_time(value: datetime) -> datetime:
    """Oslo local time (written with TZID), or UTC where that wall time occurs twice."""
    if is_in_repeated_hour(value):
        return to_utc(value)
    return to_oslo(value)


def _check_all_day(entry: FeedEntry) -> None:
    for name in ("start", "end"):
        local = to_oslo(getattr(entry, name))
        if local.time() != time(0):
            raise ValueError(f"an all-day entry's {name} must be Oslo midnight")
    if entry.recurrence is not None:
        raise ValueError("an all-day entry cannot recur")


def _check_recurrence(start: datetime, recurrence: WeeklyRecurrence) -> None:
    if is_in_repeated_hour(start):
        raise ValueError("a weekly series cannot start in the repeated autumn hour")
    starts = weekly_starts(start, recurrence.until)
    if starts != calendar_client_starts(start, recurrence.until):
        # Calendar clients read a wall time in the spring gap each their own way.
        raise ValueError("a weekly series cannot have its start time in the spring gap")
    occurrences = set(starts)
    if not occurrences:
        raise ValueError("recurrence until lies before the first start")
    exdates = {to_utc(exdate) for exdate in recurrence.exdates}
    overridden = [to_utc(override.recurrence_id) for override in recurrence.overrides]
    for instant in [*exdates, *overridden]:
        if instant not in occurrences:
            raise ValueError(f"{instant.isoformat()} is not an occurrence of the series")
    if len(set(overridden)) != len(overridden) or exdates.intersection(overridden):
        raise ValueError("an occurrence is overridden twice or both overridden and excluded")


def _require_period(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValueError(f"end {end.isoformat()} must be after start {start.isoformat()}")


def _require_sequence(sequence: int) -> None:
    if sequence < 0:
        raise ValueError("sequence must not be negative")


def _require_unique_uids(entries: Sequence[FeedEntry]) -> None:
    uids = [entry.uid for entry in entries]
    if len(set(uids)) != len(uids):
        raise ValueError("feed entries must have unique uids")
