"""Bounded input types: sane dates, emails and phone numbers checked as such."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel, ValidationError

from samspill.inputs import (
    LATEST_DATE,
    MAX_PHONE_CHARS,
    AwareInstant,
    Day,
    Email,
    Instant,
    Phone,
)


class Form(BaseModel):
    day: Day | None = None
    instant: Instant | None = None
    aware: AwareInstant | None = None
    email: Email | None = None
    phone: Phone | None = None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("22 33 44 55", "+4722334455"),
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("+46 8 123 456 78", "+46812345678"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_phone_numbers_norwegian_or_with_a_country_code_are_kept_in_e164(
    given: str, stored: str
) -> None:
    assert Form(phone=given).phone == stored


@pytest.mark.parametrize(
    "given",
    ["call me maybe", "+47 123", "12", "+47 00000000", "9" * 40, "+47 " + "1" * 200_000],
)
def test_anything_else_is_not_a_phone_number(given: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Form(phone=given)
    assert caught.value.errors()[0]["loc"] == ("phone",)


def test_a_long_phone_number_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(ValidationError, match=f"at most {MAX_PHONE_CHARS} characters"):
        Form(phone="+47 " + "1" * 200_000)


@pytest.mark.parametrize(
    "given", ["not-an-email", "a@b", "styret@@klubb.no", "x" * 250 + "@klubb.no", "a b@klubb.no"]
)
def test_emails_are_checked_as_emails(given: str) -> None:
    with pytest.raises(ValidationError):
        Form(email=given)


def test_an_email_keeps_its_local_part_and_lowercases_the_domain() -> None:
    assert Form(email="Kari.Nordmann@Klubb.NO").email == "Kari.Nordmann@klubb.no"


@pytest.mark.parametrize("given", ["9999-12-27", "1999-12-31", "0001-01-01", "2101-01-01"])
def test_dates_outside_the_sane_range_are_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        Form(day=given)  # type: ignore[arg-type]


def test_dates_inside_the_sane_range_are_taken() -> None:
    assert Form(day=LATEST_DATE).day == LATEST_DATE
    assert Form(day=date(2027, 3, 4)).day == date(2027, 3, 4)


@pytest.mark.parametrize(
    "given", ["9999-12-31T23:00:00+01:00", "0001-01-01T00:00:00Z", "2101-01-01T00:00:00"]
)
def test_instants_outside_the_sane_range_are_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        Form(instant=given)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Form(aware=given)  # type: ignore[arg-type]


def test_instants_inside_the_range_are_taken_and_aware_ones_need_a_zone() -> None:
    instant = datetime(2027, 3, 4, 17, tzinfo=UTC)
    assert Form(instant=instant, aware=instant).aware == instant
    assert Form(instant="2027-03-04T18:00:00").instant == datetime(2027, 3, 4, 18)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Form(aware="2027-03-04T18:00:00")  # type: ignore[arg-type]
