"""Usage figures: released less closures, booked, cancelled, used and free; their grouping,
the loans per centre and category and the invoice basis."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.domain import BookingStatus
from booking.domain.usage import (
    NO_ORGANISATION,
    Grouping,
    UsageBooking,
    UsageFigures,
    UsageLoanLine,
    invoice_basis,
    loans_by_centre_and_category,
    released_minutes,
    total,
    usage_by,
    usage_period,
)
from samspill.errors import RuleViolation
from samspill.intervals import Interval

from .booking_builders import GYM, GYM_PART, OTHER_SPACE, SITE, closure, evening_window, gym, oslo

# Monday 7 September to Sunday 13 September 2026: four evenings of 17–22 are released.
WEEK = usage_period(date(2026, 9, 7), date(2026, 9, 13))
AFTER = oslo(2026, 10, 1)


def booking(
    day: int = 8,
    hour: int = 18,
    hours: int = 2,
    status: BookingStatus = BookingStatus.CONFIRMED,
    price_ore: int = 0,
    organisation_id: str | None = "club-1",
    space_id: str = GYM,
) -> UsageBooking:
    start = oslo(2026, 9, day, hour)
    return UsageBooking(
        space_id=space_id,
        site_id=SITE,
        organisation_id=organisation_id,
        start=start,
        end=start + timedelta(hours=hours),
        status=status,
        price_ore=price_ore,
    )


def test_released_counts_each_evening_of_the_window() -> None:
    assert released_minutes(gym(), [evening_window()], [], WEEK) == 4 * 5 * 60


def test_a_closure_takes_its_hours_off_released_once() -> None:
    tuesday = Interval(oslo(2026, 9, 8), oslo(2026, 9, 9))
    closures = [closure(tuesday), closure(tuesday, space_id=None)]
    assert released_minutes(gym(), [evening_window()], closures, WEEK) == 3 * 5 * 60


def test_a_closure_of_a_part_closes_the_whole_hall_too() -> None:
    tuesday = Interval(oslo(2026, 9, 8, 17), oslo(2026, 9, 8, 19))
    closures = [closure(tuesday, space_id=GYM_PART)]
    assert released_minutes(gym(), [evening_window()], closures, WEEK) == 4 * 5 * 60 - 120


def test_released_ignores_other_spaces_windows() -> None:
    window = evening_window(space_id=OTHER_SPACE)
    assert released_minutes(gym(), [window], [], WEEK) == 0


def test_booked_cancelled_used_and_free() -> None:
    bookings = [
        booking(day=8, price_ore=0),
        booking(day=9, price_ore=50_000),
        booking(day=10, status=BookingStatus.CANCELLED),
        booking(day=7, status=BookingStatus.REJECTED),
        booking(day=7, hour=20, status=BookingStatus.REQUESTED, hours=1),
    ]
    figures = usage_by(
        Grouping.SITE, [gym()], {SITE: "Sentrum"}, [evening_window()], [], bookings, WEEK, AFTER
    )[SITE]
    assert figures == UsageFigures(
        released_minutes=1200,
        booked_minutes=7 * 60,
        cancelled_minutes=120,
        used_minutes=240,
        free_minutes=180,
    )
    assert figures.free_share == pytest.approx(180 / 300)


def test_only_past_confirmed_bookings_are_used() -> None:
    now = oslo(2026, 9, 8, 19)
    figures = usage_by(Grouping.SPACE, [gym()], {}, [], [], [booking(day=8)], WEEK, now)
    assert figures[GYM].used_minutes == 0
    later = usage_by(
        Grouping.SPACE, [gym()], {}, [], [], [booking(day=8)], WEEK, now + timedelta(hours=1)
    )
    assert later[GYM].used_minutes == 120


def test_bookings_outside_the_period_count_nowhere() -> None:
    figures = usage_by(Grouping.SPACE, [], {}, [], [], [booking(day=14)], WEEK, AFTER)
    assert figures == {}


def test_by_district_and_by_organisation() -> None:
    bookings = [booking(organisation_id=None), booking(day=9, organisation_id="club-1")]
    by_district = usage_by(
        Grouping.DISTRICT, [gym()], {SITE: "Sentrum"}, [evening_window()], [], bookings, WEEK, AFTER
    )
    assert list(by_district) == ["Sentrum"]
    assert by_district["Sentrum"].booked_minutes == 240
    by_organisation = usage_by(
        Grouping.ORGANISATION, [gym()], {}, [evening_window()], [], bookings, WEEK, AFTER
    )
    assert set(by_organisation) == {NO_ORGANISATION, "club-1"}
    assert by_organisation["club-1"].released_minutes is None
    assert total(by_organisation.values()).released_minutes is None


def test_free_share_is_none_without_bookings() -> None:
    assert UsageFigures(released_minutes=60).free_share is None


def test_the_period_is_capped_and_ordered() -> None:
    with pytest.raises(RuleViolation):
        usage_period(date(2026, 9, 2), date(2026, 9, 1))
    with pytest.raises(RuleViolation):
        usage_period(date(2026, 1, 1), date(2027, 1, 2))
    assert usage_period(date(2026, 1, 1), date(2027, 1, 1)).interval.duration > timedelta(days=365)


def test_a_period_is_whole_oslo_days_across_daylight_saving() -> None:
    period = usage_period(date(2026, 10, 25), date(2026, 10, 25))
    assert period.interval.duration == timedelta(hours=25)


def test_loans_count_once_per_category_with_their_units() -> None:
    day = date(2026, 9, 8)
    lines = [
        UsageLoanLine("l1", "c1", "ski", "returned", day, 2),
        UsageLoanLine("l1", "c1", "poles", "returned", day, 2),
        UsageLoanLine("l2", "c1", "ski", "cancelled", day, 1),
        UsageLoanLine("l3", "c1", "ski", "no_show", day, 1),
        UsageLoanLine("l4", "c1", "ski", "returned", date(2026, 9, 20), 1),
    ]
    found = loans_by_centre_and_category(lines, WEEK)
    assert found[("c1", "ski")].loans == 3
    assert found[("c1", "ski")].units == 4
    assert (found[("c1", "ski")].returned, found[("c1", "ski")].cancelled) == (1, 1)
    assert found[("c1", "ski")].no_show == 1
    assert found[("c1", "poles")].loans == 1


def test_the_invoice_basis_holds_confirmed_paid_organisation_bookings() -> None:
    paid = booking(day=9, price_ore=50_000)
    bookings = [
        booking(day=8, price_ore=0),
        paid,
        booking(day=10, price_ore=50_000, status=BookingStatus.CANCELLED),
        booking(day=11, price_ore=50_000, status=BookingStatus.REQUESTED),
        booking(day=12, price_ore=50_000, organisation_id=None),
        booking(day=7, price_ore=20_000),
    ]
    basis = invoice_basis(bookings, WEEK)
    assert list(basis) == ["club-1"]
    assert [line.start.day for line in basis["club-1"]] == [7, 9]


# --- properties --------------------------------------------------------------------------

STATUSES = st.sampled_from(list(BookingStatus))
BOOKINGS = st.lists(
    st.builds(
        booking,
        day=st.integers(1, 20),
        hour=st.integers(6, 21),
        hours=st.integers(1, 3),
        status=STATUSES,
        price_ore=st.sampled_from([0, 0, 25_000]),
        organisation_id=st.sampled_from([None, "club-1", "club-2"]),
        space_id=st.sampled_from([GYM, OTHER_SPACE]),
    ),
    max_size=25,
)
SPACES = [gym(), replace(gym(), space_id=OTHER_SPACE, name="Klasserom", conflicts_with=frozenset())]
WINDOWS = [evening_window(), evening_window(space_id=OTHER_SPACE)]


@settings(max_examples=150, deadline=None)
@given(bookings=BOOKINGS, grouping=st.sampled_from(list(Grouping)), now=st.integers(0, 30))
def test_every_grouping_gives_the_same_totals(
    bookings: list[UsageBooking], grouping: Grouping, now: int
) -> None:
    at = oslo(2026, 9, 1) + timedelta(days=now)
    by_space = total(
        usage_by(
            Grouping.SPACE, SPACES, {SITE: "Sentrum"}, WINDOWS, [], bookings, WEEK, at
        ).values()
    )
    other = total(
        usage_by(grouping, SPACES, {SITE: "Sentrum"}, WINDOWS, [], bookings, WEEK, at).values()
    )
    assert replace(other, released_minutes=0) == replace(by_space, released_minutes=0)
    if grouping is not Grouping.ORGANISATION:
        assert other.released_minutes == by_space.released_minutes == 2 * 1200


@settings(max_examples=150, deadline=None)
@given(bookings=BOOKINGS, now=st.integers(0, 30))
def test_figures_are_ordered_and_the_share_is_a_fraction(
    bookings: list[UsageBooking], now: int
) -> None:
    at: datetime = oslo(2026, 9, 1) + timedelta(days=now)
    for figures in usage_by(Grouping.ORGANISATION, SPACES, {}, [], [], bookings, WEEK, at).values():
        assert 0 <= figures.cancelled_minutes <= figures.booked_minutes
        assert 0 <= figures.used_minutes <= figures.active_minutes
        assert 0 <= figures.free_minutes <= figures.active_minutes
        share = figures.free_share
        assert share is None or 0 <= share <= 1
    inside = [b for b in bookings if WEEK.holds(b.start) and b.status is not BookingStatus.REJECTED]
    figures_total = total(
        usage_by(Grouping.ORGANISATION, SPACES, {}, [], [], bookings, WEEK, at).values()
    )
    assert figures_total.booked_minutes == sum(b.minutes for b in inside)


@settings(max_examples=100, deadline=None)
@given(
    cuts=st.lists(
        st.tuples(st.integers(0, 7 * 24 - 1), st.integers(1, 48), st.booleans()), max_size=6
    )
)
def test_closures_only_ever_take_released_hours_away(cuts: list[tuple[int, int, bool]]) -> None:
    start = oslo(2026, 9, 7)
    closures = [
        closure(
            Interval(start + timedelta(hours=at), start + timedelta(hours=at + length)),
            space_id=None if whole_site else GYM,
        )
        for at, length, whole_site in cuts
    ]
    full = released_minutes(gym(), [evening_window()], [], WEEK)
    less = released_minutes(gym(), [evening_window()], closures, WEEK)
    assert 0 <= less <= full
    for index in range(len(closures)):
        fewer = closures[:index] + closures[index + 1 :]
        assert released_minutes(gym(), [evening_window()], fewer, WEEK) >= less
