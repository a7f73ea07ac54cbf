"""Read-model records turned into feed entries: bookings, weekly series and loans.

Which fields an entry shows depends on the feed's audience: a public feed (space, site) shows
the organisation's display name (with its team's, "Club – Team", when a series is handed to
one) and activity only; an organisation's own feed adds the number
of participants and the price. A resident's own booking never shows its free-text activity: it
is a private booking in every feed. Cancelled entries stay visible for a while after the change,
so calendar clients that show cancelled events (Thunderbird, Apple) can strike them through.

A space's feed also shows the bookings of the spaces it cannot be used at the same time as (a
whole hall and its parts), named by their space ("Tredjedel A: …"), because the space is not
free then either. They keep their own UID, so one booking is one event in every feed.

A series' SEQUENCE is the number of changes to its bookings since they were made: 0 for a new
series, one more for each change to any occurrence and for each time it changed team.

A loan is two all-day events, pickup and return. RFC 5545 gives a VEVENT no "completed"
status, so a step that has taken place stays CONFIRMED (CANCELLED is only for a loan that did
not happen: cancelled or not picked up) and its summary says it is done: once picked up,
"Hentet / picked up"; once returned, "Levert / returned", on the day it was returned. The
events are kept as history, with a higher SEQUENCE, instead of vanishing or being struck out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from uuid import UUID

from notifications.domain.feed import (
    ENTRY_CACHE_SIZE,
    EntryStatus,
    FeedEntry,
    OccurrenceOverride,
    WeeklyRecurrence,
)
from notifications.domain.localtime import to_oslo, to_utc
from samspill.recurrence import calendar_client_starts, resolve_local, weekly_starts

UID_DOMAIN = "samspill.no"
HISTORY = timedelta(days=60)
CANCELLED_VISIBLE = timedelta(days=30)

_BOOKING_STATUS: dict[str, EntryStatus] = {
    "confirmed": EntryStatus.CONFIRMED,
    "requested": EntryStatus.REQUESTED,
    "rejected": EntryStatus.CANCELLED,
    "cancelled": EntryStatus.CANCELLED,
}
_LOAN_CANCELLED = frozenset({"cancelled", "no_show"})
_LOAN_PICKED_UP = frozenset({"picked_up", "overdue", "returned"})
PRIVATE_SUMMARY = "Privat booking / private booking"
# The master of a series takes the most common status; ties go to the first of these.
_STATUS_PRIORITY = (EntryStatus.CONFIRMED, EntryStatus.REQUESTED, EntryStatus.CANCELLED)


class Audience(StrEnum):
    PUBLIC = "public"
    ORGANISATION = "organisation"


@dataclass(frozen=True, slots=True)
class BookingView:
    booking_id: UUID
    series_id: UUID | None
    space_name: str
    site_name: str
    organisation_name: str
    activity: str
    participants: int
    price_explanation: str
    start: datetime
    end: datetime
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    by_resident: bool = False
    # Set when the booking is of another space than the feed's (one of its conflict set).
    other_space: bool = False
    team_name: str | None = None
    # Worked out once: a busy feed looks each booking's entry up by its view on every render.
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(astuple_shallow(self)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def entry_status(self) -> EntryStatus:
        return _BOOKING_STATUS[self.status]


@dataclass(frozen=True, slots=True)
class SeriesView:
    series_id: UUID
    space_name: str
    site_name: str
    organisation_name: str
    activity: str
    local_start_time: time
    local_end_time: time
    first_date: date
    last_date: date
    created_at: datetime
    team_name: str | None = None
    team_changes: int = 0  # each hand-over is a change to the series (its SEQUENCE)
    team_changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoanView:
    loan_id: UUID
    centre_name: str
    pickup_date: date
    return_date: date
    status: str
    items: tuple[str, ...]
    version: int
    created_at: datetime
    updated_at: datetime


def astuple_shallow(view: BookingView) -> tuple[object, ...]:
    """The view's compared fields as they are (`dataclasses.astuple` would copy them)."""
    return tuple(getattr(view, name) for name in _VIEW_FIELDS)


_VIEW_FIELDS = tuple(f.name for f in fields(BookingView) if f.compare)


def booking_uid(booking_id: UUID) -> str:
    return f"booking-{booking_id}@{UID_DOMAIN}"


def series_uid(series_id: UUID) -> str:
    return f"series-{series_id}@{UID_DOMAIN}"


def is_visible(status: EntryStatus, end: datetime, updated_at: datetime, *, now: datetime) -> bool:
    """Recent and coming entries; a cancelled one only for a while after it was cancelled."""
    if to_utc(end) < to_utc(now) - HISTORY:
        return False
    return status is not EntryStatus.CANCELLED or updated_at >= now - CANCELLED_VISIBLE


def booking_entries(
    bookings: Sequence[BookingView],
    series: Sequence[SeriesView],
    audience: Audience,
    *,
    now: datetime,
) -> list[FeedEntry]:
    """Entries for bookings: one per known series (with RRULE), one per other booking."""
    by_series: dict[UUID, list[BookingView]] = {}
    singles: list[BookingView] = []
    known = {s.series_id: s for s in series}
    for booking in bookings:
        if booking.series_id is not None and booking.series_id in known:
            by_series.setdefault(booking.series_id, []).append(booking)
        else:
            singles.append(booking)
    entries: list[FeedEntry] = []
    for series_id, members in sorted(by_series.items(), key=lambda item: str(item[0])):
        if any(_booking_visible(b, now) for b in members):
            entries.extend(series_entries(known[series_id], members, audience))
    entries.extend(single_entry(b, audience) for b in singles if _booking_visible(b, now))
    return entries


def _booking_visible(booking: BookingView, now: datetime) -> bool:
    return is_visible(booking.entry_status, booking.end, booking.updated_at, now=now)


# A busy feed is made again after every change to it, mostly of the same bookings: each
# booking's entry is made once (the views and entries are immutable, so sharing them is safe).
@lru_cache(maxsize=ENTRY_CACHE_SIZE)
def single_entry(booking: BookingView, audience: Audience) -> FeedEntry:
    return FeedEntry(
        uid=booking_uid(booking.booking_id),
        summary=_summary(booking, booking.organisation_name, booking.team_name, booking.activity),
        location=_location(booking.site_name, booking.space_name),
        description=_description(booking, audience),
        start=booking.start,
        end=booking.end,
        status=booking.entry_status,
        sequence=booking.version,
        created=booking.created_at,
        last_modified=booking.updated_at,
    )


def series_entries(
    series: SeriesView, bookings: Sequence[BookingView], audience: Audience
) -> list[FeedEntry]:
    """One recurring entry for the series; bookings off its weekly grid stay single entries.

    Dates of the grid without a booking (skipped at creation) become EXDATEs; a booking that
    differs from the master (cancelled, requested, moved) becomes an overriding occurrence.
    When no valid recurring entry can be written, every booking is listed on its own.
    """
    try:
        return _series_entries(series, bookings, audience)
    except ValueError:
        return [single_entry(b, audience) for b in bookings]


def _series_entries(
    series: SeriesView, bookings: Sequence[BookingView], audience: Audience
) -> list[FeedEntry]:
    first = resolve_local(series.first_date, series.local_start_time)
    first_end = _first_end(series)
    until = resolve_local(series.last_date, series.local_start_time)
    duration = first_end - first
    starts = weekly_starts(first, until)
    if starts != calendar_client_starts(first, until):
        # Clients would each put the gap date elsewhere: list the bookings one by one.
        raise ValueError("the series' start time falls in a spring gap")
    grid = {to_oslo(start).date(): start for start in starts}
    on_grid = {to_oslo(b.start).date(): b for b in bookings if to_oslo(b.start).date() in grid}
    if not on_grid:
        raise ValueError("no booking of the series lies on its weekly grid")
    off_grid = [b for b in bookings if b not in on_grid.values()]
    master_status = _master_status(b.entry_status for b in on_grid.values())
    sequence = series_sequence(bookings) + series.team_changes
    exdates = tuple(start for day, start in sorted(grid.items()) if day not in on_grid)
    overrides = tuple(
        _override(grid[day], booking, sequence, audience)
        for day, booking in sorted(on_grid.items())
        if (to_utc(booking.start), to_utc(booking.end)) != (grid[day], grid[day] + duration)
        or booking.entry_status is not master_status
    )
    sample = next(iter(on_grid.values()))
    master = FeedEntry(
        uid=series_uid(series.series_id),
        summary=_summary(sample, series.organisation_name, series.team_name, series.activity),
        location=_location(series.site_name, series.space_name),
        description=_description(sample, audience),
        start=first,
        end=first_end,
        status=master_status,
        sequence=sequence,
        created=series.created_at,
        last_modified=max(
            [
                series.created_at,
                *_present(series.team_changed_at),
                *(b.updated_at for b in bookings),
            ]
        ),
        recurrence=WeeklyRecurrence(until=until, exdates=exdates, overrides=overrides),
    )
    return [master, *(single_entry(b, audience) for b in off_grid)]


def series_sequence(bookings: Iterable[BookingView]) -> int:
    """Changes since the bookings were made: each starts at version 1, each change adds one."""
    return sum(max(booking.version - 1, 0) for booking in bookings)


def _first_end(series: SeriesView) -> datetime:
    end_day = series.first_date
    if series.local_end_time <= series.local_start_time:
        end_day += timedelta(days=1)  # ends at or after midnight
    return resolve_local(end_day, series.local_end_time)


def _override(
    occurrence: datetime, booking: BookingView, sequence: int, audience: Audience
) -> OccurrenceOverride:
    return OccurrenceOverride(
        recurrence_id=occurrence,
        start=booking.start,
        end=booking.end,
        status=booking.entry_status,
        sequence=sequence,
        last_modified=booking.updated_at,
        description=_description(booking, audience),
    )


def _master_status(statuses: Iterable[EntryStatus]) -> EntryStatus:
    counts = Counter(statuses)
    return max(_STATUS_PRIORITY, key=lambda s: (counts[s], -_STATUS_PRIORITY.index(s)))


def _present(moment: datetime | None) -> list[datetime]:
    return [] if moment is None else [moment]


def _summary(booking: BookingView, organisation: str, team: str | None, activity: str) -> str:
    """`Club – Team – activity`: a team is public like its club, so every feed names it."""
    if booking.by_resident:
        summary = PRIVATE_SUMMARY
    else:
        booker = f"{organisation} – {team}" if team else organisation
        summary = f"{booker} – {activity}" if activity else booker
    return f"{booking.space_name}: {summary}" if booking.other_space else summary


def _location(site: str, space: str) -> str:
    return f"{site}, {space}"


def _description(booking: BookingView, audience: Audience) -> str:
    shown = booking.activity and not booking.by_resident
    lines = [f"Aktivitet / activity: {booking.activity}"] if shown else []
    if booking.status == "requested":
        lines.append("Venter på godkjenning / awaiting approval")
    if audience is Audience.ORGANISATION:
        lines.append(f"Deltakere / participants: {booking.participants}")
        if booking.price_explanation:
            lines.append(f"Pris / price: {booking.price_explanation}")
    return "\n".join(lines)


def loan_entries(loans: Sequence[LoanView], *, now: datetime) -> list[FeedEntry]:
    """Pickup and return of each loan as all-day events on their days (see the module's
    docstring for how a loan's finished steps are shown)."""
    entries: list[FeedEntry] = []
    for loan in loans:
        status = EntryStatus.CANCELLED if loan.status in _LOAN_CANCELLED else EntryStatus.CONFIRMED
        return_day = _return_day(loan)
        last_day_end = _oslo_midnight(max(loan.return_date, return_day) + timedelta(days=1))
        if not is_visible(status, last_day_end, loan.updated_at, now=now):
            continue
        entries.append(_loan_entry(loan, "pickup", loan.pickup_date, status))
        entries.append(_loan_entry(loan, "return", return_day, status))
    return entries


def _return_day(loan: LoanView) -> date:
    """The planned return day; for a returned loan the day it came back (its last change)."""
    if loan.status == "returned":
        return max(to_oslo(loan.updated_at).date(), loan.pickup_date)
    return loan.return_date


def _loan_summary(loan: LoanView, part: str) -> str:
    items = ", ".join(loan.items)
    if part == "pickup":
        done = loan.status in _LOAN_PICKED_UP
        return f"Hentet / picked up: {items}" if done else f"Hent utstyr / pick up: {items}"
    if loan.status == "returned":
        return f"Levert / returned: {items}"
    return f"Lever utstyr / return: {items}"


def _loan_entry(loan: LoanView, part: str, day: date, status: EntryStatus) -> FeedEntry:
    summary = _loan_summary(loan, part)
    return FeedEntry(
        uid=f"loan-{loan.loan_id}-{part}@{UID_DOMAIN}",
        summary=summary,
        location=loan.centre_name,
        description="\n".join(loan.items),
        start=_oslo_midnight(day),
        end=_oslo_midnight(day + timedelta(days=1)),
        status=status,
        sequence=loan.version,
        created=loan.created_at,
        last_modified=loan.updated_at,
        all_day=True,
    )


def _oslo_midnight(day: date) -> datetime:
    return to_oslo(resolve_local(day, time(0)))


def feed_stamp(entries: Sequence[FeedEntry], floor: datetime) -> datetime:
    """The newest change in the feed: its DTSTAMP and Last-Modified."""
    return max([floor, *(entry.last_modified for entry in entries)], key=to_utc)
