"""Feed input used by several feed tests, and the occurrences it should expand to.

The expected occurrences are computed here from calendar dates and zoneinfo alone,
independently of the renderer, so every parser is compared with the same truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notifications.domain.feed import (
    EntryStatus,
    FeedEntry,
    FeedInfo,
    OccurrenceOverride,
    WeeklyRecurrence,
)

OSLO = ZoneInfo("Europe/Oslo")
STAMP = datetime(2026, 8, 20, 9, 30, tzinfo=UTC)
SEASON_FIRST_DAY = date(2026, 9, 1)  # a Tuesday; the season spans both DST switches
SEASON_LAST_DAY = date(2027, 4, 27)
SEASON_EXDATES = (date(2026, 10, 6), date(2026, 12, 29))
SEASON_CANCELLED_DAY = date(2027, 2, 16)
SEASON_MOVED_DAY = date(2027, 3, 30)
SECOND_PASS_UID = "booking-904@samspill.no"  # ends at 02:30 CET, the second 02:30 that night


@dataclass(frozen=True, order=True)
class Occurrence:
    """One expanded occurrence as an instant pair in UTC."""

    uid: str
    start: datetime
    end: datetime
    status: str


def oslo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def feed_info() -> FeedInfo:
    return FeedInfo(
        name="Skjetten skole – gymsal",
        description="Bookinger av gymsalen på Skjetten skole, Lillestrøm kommune",
        url="https://samspill.lillestrom.kommune.no/feeds/spaces/7.ics",
    )


def season_series() -> FeedEntry:
    """Tuesdays 18–20 for a season, with two skipped, one cancelled and one moved evening."""
    first = oslo(SEASON_FIRST_DAY, 18)
    return FeedEntry(
        uid="series-41@samspill.no",
        summary="Skjetten Håndballklubb – håndball G12",
        location="Skjetten skole, gymsal",
        description="Fast trening hver tirsdag.\nKontakt: Kåre Ødegård, tlf. 912 34 567",
        start=first,
        end=oslo(SEASON_FIRST_DAY, 20),
        status=EntryStatus.CONFIRMED,
        sequence=4,
        created=utc(2026, 6, 1, 8),
        last_modified=utc(2026, 8, 15, 12),
        recurrence=WeeklyRecurrence(
            until=oslo(SEASON_LAST_DAY, 18),
            exdates=tuple(oslo(day, 18) for day in SEASON_EXDATES),
            overrides=(
                OccurrenceOverride(
                    recurrence_id=oslo(SEASON_CANCELLED_DAY, 18),
                    start=oslo(SEASON_CANCELLED_DAY, 18),
                    end=oslo(SEASON_CANCELLED_DAY, 20),
                    status=EntryStatus.CANCELLED,
                    sequence=5,
                    last_modified=utc(2026, 8, 20, 9, 30),
                    description="Avlyst: gymsalen er stengt (vinterferie).",
                ),
                OccurrenceOverride(
                    recurrence_id=oslo(SEASON_MOVED_DAY, 18),
                    start=oslo(SEASON_MOVED_DAY, 19),
                    end=oslo(SEASON_MOVED_DAY, 21),
                    status=EntryStatus.CONFIRMED,
                    sequence=5,
                    last_modified=utc(2026, 8, 18, 7),
                ),
            ),
        ),
    )


def single(
    uid: str,
    start: datetime,
    end: datetime,
    status: EntryStatus = EntryStatus.CONFIRMED,
    *,
    summary: str = "Lillestrøm Sjakklubb – sjakk",
    sequence: int = 0,
) -> FeedEntry:
    return FeedEntry(
        uid=uid,
        summary=summary,
        location="Skjetten skole, gymsal",
        description="",
        start=start,
        end=end,
        status=status,
        sequence=sequence,
        created=utc(2026, 5, 2, 10),
        last_modified=utc(2026, 7, 3, 11),
    )


def switch_night_entries() -> list[FeedEntry]:
    """Bookings that touch the two switch nights, both passes of the repeated hour included."""
    return [
        # 23:00 CET -> 03:30 CEST: ends after the spring gap.
        single("booking-901@samspill.no", utc(2027, 3, 27, 22), utc(2027, 3, 28, 1, 30)),
        # 01:30 CET -> 03:00 CEST: ends on the first minute after the gap.
        single("booking-902@samspill.no", utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1)),
        # 00:00 CEST -> 02:30 CEST: ends in the first pass of the repeated hour.
        single("booking-903@samspill.no", utc(2026, 10, 24, 22), utc(2026, 10, 25, 0, 30)),
        # 02:30 CEST -> 02:30 CET: from the first pass to the second.
        single(SECOND_PASS_UID, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
        # 02:59 CEST -> 03:00 CET.
        single("booking-905@samspill.no", utc(2026, 10, 25, 0, 59), utc(2026, 10, 25, 2)),
    ]


def sample_entries() -> list[FeedEntry]:
    long_summary = (
        "Lillestrøm Turn og Idrettsforening – ærlig øving på åpen scene for "
        "barn og unge med særskilt tilrettelegging"
    )
    return [
        season_series(),
        single(
            "booking-12@samspill.no",
            oslo(date(2026, 9, 3), 17, 30),
            oslo(date(2026, 9, 3), 19),
            EntryStatus.REQUESTED,
            summary=long_summary,
        ),
        single(
            "booking-13@samspill.no",
            oslo(date(2026, 9, 10), 19),
            oslo(date(2026, 9, 10), 21),
            EntryStatus.CANCELLED,
            sequence=2,
        ),
        *switch_night_entries(),
    ]


def weekly_days(first: date, last: date) -> list[date]:
    days: list[date] = []
    day = first
    while day <= last:
        days.append(day)
        day += timedelta(weeks=1)
    return days


def expected_occurrences(entries: Sequence[FeedEntry]) -> list[Occurrence]:
    result: list[Occurrence] = []
    for entry in entries:
        result.extend(_expected_for(entry))
    return sorted(result)


def _expected_for(entry: FeedEntry) -> list[Occurrence]:
    status = {"confirmed": "CONFIRMED", "requested": "TENTATIVE", "cancelled": "CANCELLED"}
    recurrence = entry.recurrence
    if recurrence is None:
        return [_occurrence(entry.uid, entry.start, entry.end, status[entry.status])]
    local_start, duration = entry.start.astimezone(OSLO), entry.end - entry.start
    last_day = recurrence.until.astimezone(OSLO).date()
    skipped = {exdate.astimezone(OSLO).date() for exdate in recurrence.exdates}
    overrides = {o.recurrence_id.astimezone(OSLO).date(): o for o in recurrence.overrides}
    result: list[Occurrence] = []
    for day in weekly_days(local_start.date(), last_day):
        if day in skipped:
            continue
        if (override := overrides.get(day)) is not None:
            result.append(
                _occurrence(entry.uid, override.start, override.end, status[override.status])
            )
            continue
        # RFC 5545: each instance keeps the wall time of DTSTART and the exact duration.
        start = datetime.combine(day, local_start.time(), tzinfo=OSLO)
        end = start.astimezone(UTC) + duration
        result.append(_occurrence(entry.uid, start, end, status[entry.status]))
    return result


def _occurrence(uid: str, start: datetime, end: datetime, status: str) -> Occurrence:
    return Occurrence(uid, start.astimezone(UTC), end.astimezone(UTC), status)
