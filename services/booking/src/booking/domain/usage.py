"""Usage figures: hours released, booked, cancelled and used, and the share given free.

Pure: the service feeds in the read model's spaces, windows and closures and the bookings of
the period. The rules, so the figures can be checked against the events:

- the period is whole local days `first`..`last` (both included) in Europe/Oslo, at most
  `MAX_PERIOD_DAYS` days;
- released: a space's window occurrences within the period, less the closures that apply to
  it (a whole hall's closure closes its parts too), overlaps counted once;
- a booking belongs to the period when it starts in it; rejected bookings count nowhere;
- booked: every other booking (requested, confirmed or later cancelled);
- cancelled: the booked ones cancelled since, of which given back: those a club gave back
  for others to take (cancellation reason `given_back`); used: confirmed and already ended;
- free: confirmed or requested bookings at price 0 (the free principle), and the free share
  is free hours / (booked − cancelled) hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from booking.domain.bookings import BookingStatus
from booking.domain.views import ClosureView, SpaceView, WindowView, closures_of
from samspill.errors import RuleViolation
from samspill.intervals import Interval, intersect, merge, subtract, total_duration

OSLO = ZoneInfo("Europe/Oslo")
MAX_PERIOD_DAYS = 366
NO_ORGANISATION = "private"


class Grouping(StrEnum):
    SITE = "site"
    SPACE = "space"
    DISTRICT = "district"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class UsageBooking:
    space_id: str
    site_id: str
    organisation_id: str | None
    start: datetime
    end: datetime
    status: BookingStatus
    price_ore: int
    booking_id: str | None = None
    given_back: bool = False

    @property
    def minutes(self) -> int:
        return _minutes(self.end - self.start)


@dataclass(frozen=True)
class UsageFigures:
    """Minutes, so sums stay exact; hours are for showing."""

    released_minutes: int | None = 0
    booked_minutes: int = 0
    cancelled_minutes: int = 0
    used_minutes: int = 0
    free_minutes: int = 0
    given_back_minutes: int = 0

    @property
    def active_minutes(self) -> int:
        return self.booked_minutes - self.cancelled_minutes

    @property
    def free_share(self) -> float | None:
        """Share of the booked, not cancelled hours given free; None when there are none."""
        if self.active_minutes <= 0:
            return None
        return self.free_minutes / self.active_minutes

    def plus(self, other: UsageFigures) -> UsageFigures:
        released = (
            None
            if self.released_minutes is None or other.released_minutes is None
            else self.released_minutes + other.released_minutes
        )
        return UsageFigures(
            released_minutes=released,
            booked_minutes=self.booked_minutes + other.booked_minutes,
            cancelled_minutes=self.cancelled_minutes + other.cancelled_minutes,
            used_minutes=self.used_minutes + other.used_minutes,
            free_minutes=self.free_minutes + other.free_minutes,
            given_back_minutes=self.given_back_minutes + other.given_back_minutes,
        )


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def interval(self) -> Interval:
        start = datetime.combine(self.first, time(0), OSLO)
        end = datetime.combine(self.last + timedelta(days=1), time(0), OSLO)
        return Interval(start, end)

    def holds(self, instant: datetime) -> bool:
        return self.interval.contains_instant(instant)


def usage_period(first: date, last: date, max_days: int = MAX_PERIOD_DAYS) -> Period:
    if last < first:
        raise RuleViolation(
            "The end date must be on or after the start date.",
            "Sluttdatoen må være samme dag som eller etter startdatoen.",
        )
    days = (last - first).days + 1
    if days > max_days:
        raise RuleViolation(
            f"Ask for at most {max_days} days at a time (asked for {days}).",
            f"Spør etter høyst {max_days} dager om gangen (spurte etter {days}).",
        )
    return Period(first, last)


def released_minutes(
    space: SpaceView,
    windows: Iterable[WindowView],
    closures: Iterable[ClosureView],
    period: Period,
) -> int:
    within = period.interval
    occurrences = [
        occurrence
        for window in windows
        if window.space_id == space.space_id
        for occurrence in window.occurrences(within)
    ]
    released = intersect(merge(occurrences), [within])
    closed = [closure.interval for closure in closures_of(space, closures)]
    return _minutes(total_duration(subtract(released, closed)))


def booking_figures(booking: UsageBooking, now: datetime) -> UsageFigures:
    if booking.status is BookingStatus.REJECTED:
        return UsageFigures(released_minutes=0)
    minutes = booking.minutes
    cancelled = booking.status is BookingStatus.CANCELLED
    used = booking.status is BookingStatus.CONFIRMED and booking.end <= now
    free = not cancelled and booking.price_ore == 0
    return UsageFigures(
        released_minutes=0,
        booked_minutes=minutes,
        cancelled_minutes=minutes if cancelled else 0,
        used_minutes=minutes if used else 0,
        free_minutes=minutes if free else 0,
        given_back_minutes=minutes if cancelled and booking.given_back else 0,
    )


def usage_by(
    grouping: Grouping,
    spaces: Iterable[SpaceView],
    districts: Mapping[str, str],
    windows: Iterable[WindowView],
    closures: Iterable[ClosureView],
    bookings: Iterable[UsageBooking],
    period: Period,
    now: datetime,
) -> dict[str, UsageFigures]:
    """The figures per group key: a site id, a space id, a district (`districts` maps site id
    to district) or an organisation id (`NO_ORGANISATION` for residents' own bookings).

    Released hours belong to no organisation: by organisation they are None.
    """
    window_list, closure_list = list(windows), list(closures)
    space_list = list(spaces)
    key_of_space = _space_key(grouping, districts)
    groups: dict[str, UsageFigures] = {}
    if grouping is not Grouping.ORGANISATION:
        for space in space_list:
            key = key_of_space(space.space_id, space.site_id)
            minutes = released_minutes(space, window_list, closure_list, period)
            groups[key] = groups.get(key, UsageFigures()).plus(
                UsageFigures(released_minutes=minutes)
            )
    for booking in bookings:
        if not period.holds(booking.start) or booking.status is BookingStatus.REJECTED:
            continue
        if grouping is Grouping.ORGANISATION:
            key = booking.organisation_id or NO_ORGANISATION
            empty = UsageFigures(released_minutes=None)
        else:
            key = key_of_space(booking.space_id, booking.site_id)
            empty = UsageFigures()
        figures = booking_figures(booking, now)
        groups[key] = groups.get(key, empty).plus(figures)
    return groups


def total(figures: Iterable[UsageFigures]) -> UsageFigures:
    result = UsageFigures()
    for item in figures:
        result = result.plus(item)
    return result


def hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def local_day(instant: datetime) -> date:
    return instant.astimezone(OSLO).date()


def _space_key(grouping: Grouping, districts: Mapping[str, str]) -> Callable[[str, str], str]:
    if grouping is Grouping.SPACE:
        return lambda space_id, site_id: space_id
    if grouping is Grouping.DISTRICT:
        return lambda space_id, site_id: districts.get(site_id, "")
    return lambda space_id, site_id: site_id


def _minutes(duration: timedelta) -> int:
    return int(duration.total_seconds() // 60)


# --- equipment loans -------------------------------------------------------------------


@dataclass(frozen=True)
class UsageLoanLine:
    """One loan's units of one category."""

    loan_id: str
    centre_id: str
    category: str
    status: str
    pickup_date: date
    units: int


@dataclass(frozen=True)
class LoanFigures:
    loans: int = 0
    units: int = 0
    returned: int = 0
    cancelled: int = 0
    no_show: int = 0


def loans_by_centre_and_category(
    lines: Iterable[UsageLoanLine], period: Period
) -> dict[tuple[str, str], LoanFigures]:
    """Loans picked up (or due to be) in the period, per centre and category: a loan with
    units of two categories counts once in each."""
    loans: dict[tuple[str, str], set[str]] = {}
    units: dict[tuple[str, str], int] = {}
    statuses: dict[tuple[str, str], dict[str, str]] = {}
    for line in lines:
        if not period.first <= line.pickup_date <= period.last:
            continue
        key = (line.centre_id, line.category)
        loans.setdefault(key, set()).add(line.loan_id)
        units[key] = units.get(key, 0) + line.units
        statuses.setdefault(key, {})[line.loan_id] = line.status
    return {
        key: LoanFigures(
            loans=len(ids),
            units=units[key],
            returned=_count(statuses[key].values(), "returned"),
            cancelled=_count(statuses[key].values(), "cancelled"),
            no_show=_count(statuses[key].values(), "no_show"),
        )
        for key, ids in loans.items()
    }


def _count(values: Iterable[str], wanted: str) -> int:
    return sum(1 for value in values if value == wanted)


# --- invoice basis ---------------------------------------------------------------------


def invoice_basis(
    bookings: Iterable[UsageBooking], period: Period
) -> dict[str, list[UsageBooking]]:
    """Per organisation its confirmed bookings with a price that start in the period, in time
    order. Residents' own bookings are left out: a person's bookings are private."""
    basis: dict[str, list[UsageBooking]] = {}
    for booking in bookings:
        if (
            booking.organisation_id is None
            or booking.status is not BookingStatus.CONFIRMED
            or booking.price_ore <= 0
            or not period.holds(booking.start)
        ):
            continue
        basis.setdefault(booking.organisation_id, []).append(booking)
    return {key: sorted(lines, key=lambda b: (b.start, b.space_id)) for key, lines in basis.items()}
