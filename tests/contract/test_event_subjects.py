"""The subject table covers every event type; the services' integration fixtures apply it to
every event their tests record (see `tests/contract/subjects.py`)."""

from __future__ import annotations

from samspill.events.schemas import CONTRACTS
from tests.contract.subjects import AGGREGATE_ID, subject_errors


def test_every_event_type_names_its_aggregate_id():
    types = {name for contract in CONTRACTS for name in contract.events}
    assert types == AGGREGATE_ID.keys()


def test_a_subject_other_than_the_aggregate_id_is_reported():
    data = {"booking": {"booking_id": "b-1", "space_id": "s-1"}}
    kind = "samspill.booking.confirmed.v1"
    assert subject_errors([(kind, [["ce_subject", "b-1"]], data)]) == []
    assert subject_errors([(kind, [["ce_subject", "s-1"]], data)]) == [
        f"{kind}: subject s-1, aggregate id b-1"
    ]
