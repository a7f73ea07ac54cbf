"""The access log's pure parts: a period's bounds from dates or instants, and its table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import MetaData

from samspill.access_log import (
    PeriodEnd,
    PeriodStart,
    access_filter,
    access_log_of,
    access_log_table,
)
from samspill.errors import RuleViolation
from samspill.recurrence import OSLO

START = TypeAdapter(PeriodStart)
END = TypeAdapter(PeriodEnd)
days = st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 30))


@given(days)
def test_a_date_means_the_whole_day_in_oslo(day: date) -> None:
    start = START.validate_python(day.isoformat())
    end = END.validate_python(day.isoformat())
    assert start.astimezone(OSLO).date() == day
    assert start.astimezone(OSLO).time().hour == 0
    assert end.astimezone(OSLO).date() == day + timedelta(days=1)
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)  # DST days included


def test_an_instant_is_taken_as_given() -> None:
    assert START.validate_python("2031-03-12T04:00:00Z") == datetime(2031, 3, 12, 4, tzinfo=UTC)
    assert END.validate_python("2031-03-12T05:00:00+01:00") == datetime(2031, 3, 12, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2031-03-12T04:00:00", "yesterday", "2031-02-30", "1066-10-14", "2031-13-01T00:00Z"]
)
def test_a_bound_without_offset_or_outside_reason_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        START.validate_python(text)


def test_to_must_come_after_from() -> None:
    moment = datetime(2031, 3, 12, tzinfo=UTC)
    with pytest.raises(RuleViolation):
        access_filter(None, moment, moment)
    assert access_filter("p", moment, None).person_id == "p"


def test_the_table_has_the_two_indexes_the_listing_uses() -> None:
    metadata = MetaData()
    assert access_log_of(metadata) is None
    table = access_log_table(metadata)
    assert access_log_of(metadata) is table
    indexes = {index.name: [c.name for c in index.columns] for index in table.indexes}
    assert indexes == {
        "ix_access_log_subject_person_id_at": ["subject_person_id", "at"],
        "ix_access_log_at": ["at"],
    }
    assert table.c.subject_person_id.nullable
    assert not table.c.why.nullable
