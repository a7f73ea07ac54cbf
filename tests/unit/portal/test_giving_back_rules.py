"""The giving-back pages' rules: what a club may give back, where a series' rest starts, a
lapsed hold, and the waiting-list form read as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.giving_back import WaitingForm, may_give_back, offer_state, rest_from

NOW = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
CLUB = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
SPACE = "0d8a7d6e-2f0b-4b5e-9f5e-7d4c0a1b2c3d"


def booking(start: datetime, status: str = "confirmed", club: str | None = CLUB) -> dict:
    return {"start": start.isoformat(), "status": status, "organisation_id": club}


def test_a_clubs_future_active_booking_may_be_given_back() -> None:
    assert may_give_back(booking(NOW + timedelta(hours=1)), NOW)
    assert may_give_back(booking(NOW + timedelta(days=3), "requested"), NOW)


def test_a_started_cancelled_or_residents_booking_may_not() -> None:
    assert not may_give_back(booking(NOW), NOW)
    assert not may_give_back(booking(NOW - timedelta(days=1)), NOW)
    assert not may_give_back(booking(NOW + timedelta(days=1), "cancelled"), NOW)
    assert not may_give_back(booking(NOW + timedelta(days=1), club=None), NOW)


def test_the_rest_starts_at_the_first_active_date_not_started_in_oslo() -> None:
    dates = [
        booking(NOW - timedelta(days=7)),
        booking(NOW + timedelta(days=14)),
        booking(NOW + timedelta(days=7), "cancelled"),
        # 23:30 UTC on 10 March is already 11 March in Oslo.
        booking(datetime(2030, 3, 10, 23, 30, tzinfo=UTC)),
    ]
    assert rest_from(dates, NOW) == date(2030, 3, 11)
    assert rest_from([booking(NOW - timedelta(days=1))], NOW) is None


def offer(status: str, held_until: datetime) -> dict:
    return {"status": status, "held_until": held_until.isoformat()}


def test_an_open_offer_whose_hold_ended_is_lapsed() -> None:
    assert offer_state(offer("open", NOW + timedelta(minutes=1)), NOW) == "open"
    assert offer_state(offer("open", NOW), NOW) == "lapsed"
    assert offer_state(offer("accepted", NOW - timedelta(hours=3)), NOW) == "accepted"
    assert offer_state(offer("expired", NOW + timedelta(hours=1)), NOW) == "expired"


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_only_an_open_offer_still_held_can_be_accepted(seconds: int) -> None:
    held_until = NOW + timedelta(seconds=seconds)
    assert (offer_state(offer("open", held_until), NOW) == "open") == (seconds > 0)


GOOD = {
    "space_id": SPACE,
    "weekday": "2",
    "start": "18.00",
    "end": "19:30",
    "activity": " Håndball ",
    "age_group": "youth",
    "group_size": "14",
}
AGES = ["children", "youth", "adults", "seniors", "mixed"]


def test_a_filled_in_form_becomes_the_apis_body() -> None:
    form = WaitingForm.parse(GOOD)
    assert form.problems([SPACE], AGES) == {}
    assert form.body(CLUB) == {
        "organisation_id": CLUB,
        "space_id": SPACE,
        "weekday": 2,
        "start": "18:00",
        "end": "19:30",
        "activity": "Håndball",
        "age_group": "youth",
        "group_size": 14,
    }


def test_each_field_that_cannot_be_sent_is_named_and_the_text_kept() -> None:
    typed = {
        "space_id": "another",
        "weekday": "7",
        "start": "25:00",
        "end": "",
        "activity": "",
        "age_group": "toddlers",
        "group_size": "ti",
    }
    form = WaitingForm.parse(typed)
    assert form.problems([SPACE], AGES) == {
        "space_id": "hall",
        "weekday": "weekday",
        "start": "start",
        "end": "end",
        "activity": "activity",
        "age_group": "age_group",
        "group_size": "group_size",
    }
    assert form.start == "25:00"
    assert form.group_size == "ti"


def test_an_end_not_after_the_start_is_refused() -> None:
    form = WaitingForm.parse({**GOOD, "start": "19:30", "end": "19:30"})
    assert form.problems([SPACE], AGES) == {"end": "order"}
    assert WaitingForm.parse({**GOOD, "group_size": "0"}).problems([SPACE], AGES) == {
        "group_size": "group_size"
    }
