"""Event contracts: published schemas stay readable, envelopes round-trip, checks can fail."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from samspill.events import booking, facilities
from samspill.events.base import Envelope, UndecodableEvent
from samspill.events.schemas import (
    CONTRACTS,
    asyncapi_document,
    current_schemas,
    incompatibilities,
    load_published,
)

PUBLISHED = Path(__file__).resolve().parents[2] / "contracts" / "events"


def test_every_published_schema_is_still_readable():
    current = current_schemas()
    published = load_published(PUBLISHED)
    assert published, "no published schemas: run `uv run samspill contracts export`"
    for name, schema in published.items():
        assert name in current, f"{name} was published and must not be removed"
        assert incompatibilities(schema, current[name]) == [], name


def test_every_event_type_is_published():
    missing = current_schemas().keys() - load_published(PUBLISHED).keys()
    assert not missing, (
        f"export the new contracts with `uv run samspill contracts export`: {missing}"
    )


def test_event_types_are_versioned_and_unique_per_topic():
    for contract in CONTRACTS:
        for name in contract.events:
            assert name.startswith(f"{contract.topic}.")
            assert name.rsplit(".", 1)[-1] == "v1"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].pop("by"), "property removed"),
        (lambda s: s["required"].append("note"), "property became required"),
        (lambda s: s["properties"]["by"].update(type="string"), "type"),
        (lambda s: s["properties"]["kind"].update(enum=["a"]), "enum values removed"),
    ],
)
def test_incompatible_changes_are_named(change, expected):
    published = {
        "type": "object",
        "properties": {
            "by": {"type": "integer"},
            "note": {"type": "string"},
            "kind": {"enum": ["a", "b"]},
        },
        "required": ["by"],
    }
    current = copy.deepcopy(published)
    change(current)
    problems = incompatibilities(published, current)
    assert any(expected in problem for problem in problems), problems


def test_additive_changes_are_compatible():
    published = {"type": "object", "properties": {"by": {"type": "integer"}}, "required": ["by"]}
    current = copy.deepcopy(published)
    current["properties"]["note"] = {"type": "string"}
    current["properties"]["by"] = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert incompatibilities(published, current) == []


def test_real_contract_change_is_caught():
    schema = current_schemas()["samspill.booking.confirmed.v1"]
    changed = copy.deepcopy(schema)
    changed["$defs"]["BookingState"]["properties"].pop("activity")
    assert incompatibilities(schema, changed) == ["/booking/activity: property removed"]


def test_envelope_round_trips_in_binary_mode():
    closure = facilities.ClosureScheduled(
        closure=facilities.ClosureState(
            closure_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            space_id=None,
            start=datetime(2027, 2, 22, 7, tzinfo=UTC),
            end=datetime(2027, 2, 27, 7, tzinfo=UTC),
            reason="holiday",
            note="Vinterferie",
        )
    )
    envelope = Envelope(
        data=closure,
        source="/samspill/facilities",
        subject="site-1",
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    headers = dict(envelope.headers())
    assert headers["ce_type"] == b"samspill.facilities.closure.scheduled.v1"
    assert headers["ce_specversion"] == b"1.0"
    assert "type" not in json.loads(envelope.value())
    decoded = facilities.contract.decode(envelope.headers(), envelope.value())
    assert decoded == envelope


def test_window_contract_keeps_local_times():
    window = facilities.WindowState(
        window_id=uuid.uuid4(),
        space_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        kind="weekly",
        weekdays=[0, 1, 2, 3],
        start_time=time(17),
        end_time=time(22),
        valid_from=date(2027, 1, 4),
        valid_to=date(2027, 6, 18),
    )
    envelope = Envelope(data=facilities.WindowReleased(window=window))
    assert facilities.contract.decode(envelope.headers(), envelope.value()).data.window == window


@pytest.mark.parametrize(
    ("headers", "value"),
    [
        ([], b"{}"),
        ([("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_type", b"samspill.nope.v1")], b"{}"),
        (
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_type", b"samspill.booking.confirmed.v1"),
                ("ce_time", b"2027-01-01T00:00:00Z"),
            ],
            b'{"booking": {}}',
        ),
        (
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_type", b"samspill.booking.confirmed.v1"),
            ],
            b"[1, 2]",
        ),
    ],
)
def test_undecodable_records_are_refused(headers, value):
    with pytest.raises(UndecodableEvent):
        booking.contract.decode(headers, value)


def test_asyncapi_document_lists_both_topics_and_the_state_topic():
    document = asyncapi_document()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {"samspill.facilities", "samspill.booking", "samspill.booking.state"}
    assert json.loads((PUBLISHED / "asyncapi.json").read_text()) == document
