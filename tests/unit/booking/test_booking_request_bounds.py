"""Request bodies of booking bound what drives work before any of it starts."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from booking.lending.schemas import MAX_LOAN_DAYS, LoanCreate
from booking.organisations.schemas import OrganisationCreate
from booking.series.schemas import MAX_SERIES_DAYS, SeriesCreate

FIRST = date(2027, 8, 17)


def series(**changes: Any) -> dict[str, Any]:
    return {
        "space_id": str(uuid.uuid4()),
        "organisation_id": str(uuid.uuid4()),
        "activity": "Futsal",
        "audience": "non_profit",
        "participants": 20,
        "weekday": 1,
        "start_time": "18:00",
        "end_time": "19:30",
        "first_date": FIRST.isoformat(),
        "last_date": (FIRST + timedelta(weeks=16)).isoformat(),
        **changes,
    }


def test_a_season_is_taken() -> None:
    assert SeriesCreate.model_validate(series()).last_date == FIRST + timedelta(weeks=16)


@pytest.mark.parametrize(
    "changes",
    [
        {"last_date": "9999-12-27"},
        {"first_date": "0001-01-01"},
        {"last_date": (FIRST + timedelta(days=MAX_SERIES_DAYS + 1)).isoformat()},
        {"activity": "x" * 201},
        {"participants": 100_001},
    ],
)
def test_a_series_past_the_bounds_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SeriesCreate.model_validate(series(**changes))


def loan(**changes: Any) -> dict[str, Any]:
    return {
        "pickup_date": FIRST.isoformat(),
        "return_date": (FIRST + timedelta(days=7)).isoformat(),
        "lines": [{"item_type_id": str(uuid.uuid4()), "quantity": 1}],
        "contact": {"email": "familien@example.no"},
        **changes,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"return_date": (FIRST + timedelta(days=MAX_LOAN_DAYS + 1)).isoformat()},
        {"return_date": "9999-12-31"},
        {"contact": {"email": "not-an-email"}},
        {"contact": {"phone": "call me maybe", "channel": "sms"}},
        {"contact": {"name": "x" * 201, "email": "familien@example.no"}},
    ],
)
def test_a_loan_past_the_bounds_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        LoanCreate.model_validate(loan(**changes))


def test_a_loan_contact_phone_is_kept_in_e164() -> None:
    body = LoanCreate.model_validate(loan(contact={"phone": "912 34 567", "channel": "sms"}))
    assert body.contact.phone == "+4791234567"


def organisation(contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "org_number": "912345674",
        "name": "Kjeller IL",
        "category": "sports",
        "contact": contact,
    }


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"name": "x" * 200_000}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
    ],
)
def test_an_organisation_contact_is_bounded_and_checked(
    contact: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        OrganisationCreate.model_validate(organisation(contact))
    assert caught.value.errors()[0]["loc"] == ("contact", field)
