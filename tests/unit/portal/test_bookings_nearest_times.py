"""The nearest free times a refused booking offers: whole, on the grid, inside the hall's free
time, nearest first, never the refused time itself; and a club's bookings split by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.bookings import Stretch, candidate_starts, nearest_free_times, split_by_time

BASE = datetime(2027, 3, 9, 16, 0, tzinfo=UTC)
STEP = timedelta(minutes=30)


def at(hours: float) -> datetime:
    return BASE + timedelta(hours=hours)


def test_an_evening_with_a_booking_in_the_middle_offers_the_times_around_it():
    free = [Stretch(at(0), at(2)), Stretch(at(4), at(6))]  # 17–19 and 21–23 in Oslo winter
    wanted = Stretch(at(2), at(4))

    offered = nearest_free_times(free, wanted, limit=3)

    assert offered == [
        Stretch(at(0), at(2)),
        Stretch(at(4), at(6)),
    ]


def test_the_nearest_come_first_and_earlier_wins_a_tie():
    free = [Stretch(at(0), at(6))]
    wanted = Stretch(at(2), at(3))

    offered = nearest_free_times(free, wanted, limit=3)

    assert offered == [
        Stretch(at(1.5), at(2.5)),
        Stretch(at(2.5), at(3.5)),
        Stretch(at(1), at(2)),
    ]


def test_starts_off_the_grid_are_moved_up_to_it():
    free = [Stretch(at(0.25), at(2))]
    assert candidate_starts(free, timedelta(hours=1), STEP) == [at(0.5), at(1)]


def test_nothing_free_or_no_length_offers_nothing():
    assert nearest_free_times([], Stretch(at(0), at(1))) == []
    assert nearest_free_times([Stretch(at(0), at(5))], Stretch(at(1), at(1))) == []
    assert nearest_free_times([Stretch(at(0), at(0.5))], Stretch(at(1), at(2))) == []


half_hours = st.integers(min_value=0, max_value=4 * 48)
spans = st.lists(
    st.tuples(half_hours, st.integers(min_value=1, max_value=16)).map(
        lambda t: Stretch(at(t[0] / 2), at((t[0] + t[1]) / 2))
    ),
    max_size=6,
)


@given(
    free=spans,
    wanted_start=half_hours,
    length=st.integers(min_value=1, max_value=8),
    limit=st.integers(min_value=0, max_value=6),
)
def test_every_offer_fits_is_on_the_grid_and_none_nearer_was_left_out(
    free: list[Stretch], wanted_start: int, length: int, limit: int
):
    wanted = Stretch(at(wanted_start / 2), at((wanted_start + length) / 2))

    offered = nearest_free_times(free, wanted, step=STEP, limit=limit)

    assert len(offered) <= limit
    assert len(set(offered)) == len(offered)
    for offer in offered:
        assert offer.end - offer.start == wanted.end - wanted.start
        assert offer.start != wanted.start
        assert (offer.start - BASE) % STEP == timedelta(0)
        assert any(s.start <= offer.start and offer.end <= s.end for s in free)
    distances = [abs(o.start - wanted.start) for o in offered]
    assert distances == sorted(distances)
    all_starts = [
        s for s in candidate_starts(free, wanted.end - wanted.start, STEP) if s != wanted.start
    ]
    if len(offered) < limit:
        assert len(offered) == len(all_starts)
    if offered:
        left_out = set(all_starts) - {o.start for o in offered}
        assert all(abs(s - wanted.start) >= distances[-1] for s in left_out)


@given(
    ends=st.lists(st.integers(min_value=-100, max_value=100), max_size=20),
    now=st.integers(min_value=-100, max_value=100),
)
def test_bookings_split_into_upcoming_and_past_without_loss(ends: list[int], now: int):
    items = [at(hours) for hours in ends]

    upcoming, past = split_by_time(items, at(now), lambda end: end)

    assert sorted(upcoming + past) == sorted(items)
    assert all(end > at(now) for end in upcoming)
    assert all(end <= at(now) for end in past)
    assert upcoming == sorted(upcoming)
    assert past == sorted(past, reverse=True)
