"""The booking form: typed values kept as typed, each unreadable field named with its message,
and a valid form read into what booking's API takes."""

from __future__ import annotations

import uuid
from datetime import date

from portal.bookings.schemas import (
    END_AFTER_START,
    LAST_AFTER_FIRST,
    NEED_DATE,
    NEED_TIME,
    BookingForm,
    check,
    parse_date,
)

CLUB, HALL = str(uuid.uuid4()), str(uuid.uuid4())
ONE_EVENING = {
    "lag": CLUB,
    "lokale": HALL,
    "dato": "9.3.2027",
    "fra": "18:00",
    "til": "1930",
    "aktivitet": " Håndball ",
    "malgruppe": "non_profit",
    "deltakere": "14",
}


def test_one_evening_is_read_into_the_booking_body():
    checked = check(BookingForm.of(ONE_EVENING))

    assert checked.errors == {}
    assert checked.choice is not None
    body = checked.choice.booking_body()
    assert body["start"] == "2027-03-09T17:00:00+00:00"
    assert body["end"] == "2027-03-09T18:30:00+00:00"
    assert body["activity"] == "Håndball"
    assert body["participants"] == 14


def test_a_weekly_series_is_read_into_the_series_body():
    form = BookingForm.of(
        {
            **ONE_EVENING,
            "type": "weekly",
            "ukedag": "1",
            "forste": "2027-01-05",
            "siste": "23.3.2027",
        }
    )
    checked = check(form)

    assert checked.choice is not None
    body = checked.choice.series_body()
    assert (body["weekday"], body["start_time"], body["end_time"]) == (1, "18:00", "19:30")
    assert (body["first_date"], body["last_date"]) == ("2027-01-05", "2027-03-23")


def test_unreadable_fields_are_named_and_the_typed_values_kept():
    typed = {**ONE_EVENING, "dato": "31.2.2027", "fra": "kveld", "til": "17:00"}
    form = BookingForm.of(typed)

    checked = check(form)

    assert checked.choice is None
    assert checked.errors == {"dato": NEED_DATE, "fra": NEED_TIME}
    assert form.values()["dato"] == "31.2.2027"
    assert form.values()["fra"] == "kveld"
    late = check(BookingForm.of({**ONE_EVENING, "fra": "20:00", "til": "19:00"}))
    assert late.errors == {"til": END_AFTER_START}


def test_a_series_ending_before_it_starts_is_refused_on_the_last_date():
    form = BookingForm.of(
        {**ONE_EVENING, "type": "weekly", "ukedag": "2", "forste": "9.3.2027", "siste": "1.3.2027"}
    )
    assert check(form).errors == {"siste": LAST_AFTER_FIRST}


def test_an_unknown_kind_is_read_as_once_and_unknown_fields_are_ignored():
    form = BookingForm.of({"type": "daily", "admin": "yes", "deltakere": 5})
    assert form.type == "single"
    assert form.deltakere == ""
    assert "admin" not in form.values()


def test_dates_as_typed_or_as_a_date_field_sends_them():
    assert parse_date("9.3.2027") == date(2027, 3, 9)
    assert parse_date("2027-03-09") == date(2027, 3, 9)
    assert parse_date("9/3/2027") is None
    assert parse_date("") is None
