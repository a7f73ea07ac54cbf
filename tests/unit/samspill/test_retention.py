"""The residents' history rule booking and notifications share: the cutoff, which loans have
ended, rows due grouped by their person, and the counts a run adds up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from samspill.retention import ENDED_LOAN_STATUSES, Anonymised, by_person, history_cutoff


def test_the_cutoff_is_the_period_before_now() -> None:
    now = datetime(2031, 3, 30, 1, 30, tzinfo=UTC)
    assert history_cutoff(now, 365) == now - timedelta(days=365)


def test_only_finished_loans_have_ended() -> None:
    assert {"returned", "cancelled", "no_show"} == ENDED_LOAN_STATUSES
    assert not {"reserved", "picked_up", "overdue"} & ENDED_LOAN_STATUSES


@given(st.lists(st.tuples(st.uuids(), st.sampled_from(["a", "b", "c"])), max_size=30))
def test_rows_due_are_grouped_by_their_person_and_none_is_lost(
    owned: list[tuple[uuid.UUID, str]],
) -> None:
    grouped = by_person(owned)
    assert sorted((row, person) for person, rows in grouped.items() for row in rows) == sorted(
        owned
    )
    assert all(rows for rows in grouped.values())


def test_a_run_adds_its_batches_and_knows_its_largest_kind() -> None:
    found = Anonymised()
    found.add(Anonymised(bookings=2, series=1))
    found.add(Anonymised(loans=5))
    assert (found.bookings, found.series, found.loans) == (2, 1, 5)
    assert (found.total, found.largest) == (8, 5)
