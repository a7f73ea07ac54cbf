from __future__ import annotations

import pytest

from facilities.domain import BookingRules, WhoMayBook
from samspill.errors import RuleViolation


def test_default_rules_are_valid() -> None:
    BookingRules().validate()


def test_typical_gym_rules_are_valid() -> None:
    BookingRules(
        min_minutes=60,
        max_minutes=180,
        granularity_minutes=15,
        horizon_days=120,
        buffer_minutes=15,
        cancellation_deadline_hours=48,
        approval_required=True,
        who_may_book=WhoMayBook.EVERYONE,
    ).validate()


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        (BookingRules(min_minutes=0), "must be positive"),
        (BookingRules(max_minutes=-30), "must be positive"),
        (BookingRules(min_minutes=240, max_minutes=120), "cannot exceed"),
        (BookingRules(max_minutes=25 * 60), "24 hours"),
        (BookingRules(granularity_minutes=0), "time step"),
        (BookingRules(granularity_minutes=7, min_minutes=63, max_minutes=210), "time step"),
        (BookingRules(granularity_minutes=45, min_minutes=60, max_minutes=180), "time step"),
        (BookingRules(granularity_minutes=30, min_minutes=45, max_minutes=240), "multiples"),
        (BookingRules(granularity_minutes=60, min_minutes=60, max_minutes=150), "multiples"),
        (BookingRules(horizon_days=0), "horizon"),
        (BookingRules(horizon_days=1000), "horizon"),
        (BookingRules(buffer_minutes=-5), "buffer"),
        (BookingRules(cancellation_deadline_hours=-1), "cancellation deadline"),
    ],
)
def test_insane_rules_are_refused(rules: BookingRules, fragment: str) -> None:
    with pytest.raises(RuleViolation, match=fragment) as caught:
        rules.validate()
    assert caught.value.detail_nb
