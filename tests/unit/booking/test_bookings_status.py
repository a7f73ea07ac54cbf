"""The booking state machine, cancellation deadlines and the hoarding limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.domain import (
    BookingRules,
    BookingStatus,
    CancellationReason,
    LimitExceeded,
    TransitionNotAllowed,
    cancel,
    check_cancellation,
    check_hoarding,
    initial_status,
    is_active,
    transition,
)
from samspill.errors import RuleViolation

from .booking_builders import RULES, oslo

S = BookingStatus
ALLOWED = {
    (S.REQUESTED, S.CONFIRMED),
    (S.REQUESTED, S.REJECTED),
    (S.REQUESTED, S.CANCELLED),
    (S.CONFIRMED, S.CANCELLED),
}
ALL_PAIRS = [(current, target) for current in S for target in S]


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transitions(current: BookingStatus, target: BookingStatus) -> None:
    assert transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), [pair for pair in ALL_PAIRS if pair not in ALLOWED])
def test_every_other_transition_is_refused(current: BookingStatus, target: BookingStatus) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        transition(current, target)
    assert caught.value.current is current
    assert caught.value.target is target
    assert caught.value.status == 409
    assert current.value in caught.value.detail_nb


def test_active_statuses_block_the_slot() -> None:
    assert {status for status in S if is_active(status)} == {S.REQUESTED, S.CONFIRMED}


def test_initial_status_follows_approval_rule() -> None:
    assert initial_status(RULES) is S.CONFIRMED
    assert initial_status(BookingRules(approval_required=True)) is S.REQUESTED


START = oslo(2026, 9, 8, 18)


def test_organisation_may_cancel_before_the_deadline() -> None:
    just_in_time = START - timedelta(hours=24)
    check_cancellation(START, just_in_time, RULES, CancellationReason.BY_ORGANISATION)
    assert cancel(S.CONFIRMED, START, just_in_time, RULES, CancellationReason.BY_ORGANISATION) is (
        S.CANCELLED
    )


def test_organisation_may_not_cancel_after_the_deadline() -> None:
    too_late = START - timedelta(hours=23, minutes=59)
    with pytest.raises(RuleViolation, match="24 hours") as caught:
        check_cancellation(START, too_late, RULES, CancellationReason.BY_ORGANISATION)
    assert "24 timer" in caught.value.detail_nb


@pytest.mark.parametrize(
    "reason", [reason for reason in CancellationReason if reason != "by_organisation"]
)
def test_managers_and_the_system_may_cancel_late(reason: CancellationReason) -> None:
    check_cancellation(START, START + timedelta(minutes=5), RULES, reason)


def test_cancel_needs_an_active_booking() -> None:
    with pytest.raises(TransitionNotAllowed):
        cancel(S.REJECTED, START, START - timedelta(days=3), RULES, CancellationReason.BY_MANAGER)


def test_cancellation_reasons() -> None:
    assert {reason.value for reason in CancellationReason} == {
        "by_organisation",
        "by_manager",
        "closure",
        "window_withdrawn",
        "space_retired",
        "series_cancelled",
        "person_erased",
        "given_back",
        "requisition",
    }


def test_hoarding_limit() -> None:
    check_hoarding(existing_future_minutes=9 * 60, new_minutes=60, limit_hours=10)
    check_hoarding(existing_future_minutes=10_000, new_minutes=600, limit_hours=None)
    with pytest.raises(LimitExceeded) as caught:
        check_hoarding(existing_future_minutes=9 * 60 + 30, new_minutes=60, limit_hours=10)
    assert "9.5" in caught.value.detail
    assert "10 timer" in caught.value.detail_nb


@pytest.mark.parametrize(
    "changes",
    [
        {"granularity_minutes": 0},
        {"min_minutes": 120, "max_minutes": 60},
        {"buffer_minutes": -5},
        {"horizon_days": -1},
    ],
)
def test_malformed_rules_are_refused_by_the_read_model(changes: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="invalid booking rules"):
        BookingRules(**changes)  # type: ignore[arg-type]
