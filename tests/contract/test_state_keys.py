"""Which booking events go to `samspill.booking.state` and under which compaction key.

The table is written out by hand (not derived from the contract), so it checks the contract: a
new event type has to be placed here, as a state event of an aggregate or as an event only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import StateEntry, contract_of, state_key_digest
from samspill.events.schemas import CONTRACTS, asyncapi_document

B = "samspill.booking."

STATE_KEYS: dict[str, str] = {
    f"{B}organisation.registered.v1": "organisation:{organisation.organisation_id}",
    f"{B}organisation.updated.v1": "organisation:{organisation.organisation_id}",
    f"{B}membership.changed.v1": "membership:{membership.organisation_id}:{membership.person_id}",
    f"{B}profile.changed.v1": "profile:{profile.person_id}",
    f"{B}person.erased.v1": "profile:{erasure.person_id}",  # a tombstone: the profile goes
    f"{B}requested.v1": "booking:{booking.booking_id}",
    f"{B}confirmed.v1": "booking:{booking.booking_id}",
    f"{B}rejected.v1": "booking:{booking.booking_id}",
    f"{B}cancelled.v1": "booking:{booking.booking_id}",
    f"{B}anonymised.v1": "booking:{booking.booking_id}",
    f"{B}series.created.v1": "series:{series.series_id}",
    f"{B}series.anonymised.v1": "series:{series.series_id}",
    f"{B}series.team_changed.v1": "series_team:{series.series_id}",
    f"{B}activity.published.v1": "activity:{activity.series_id}",
    f"{B}activity.withdrawn.v1": "activity:{activity.series_id}",
    f"{B}round.changed.v1": "round:{round.round_id}",
    **{
        f"{B}loan.{name}.v1": "loan:{loan.loan_id}"
        for name in (
            "reserved",
            "units_changed",
            "picked_up",
            "returned",
            "cancelled",
            "no_show",
            "overdue",
            "anonymised",
        )
    },
}
EVENT_ONLY = {
    f"{B}invitation.created.v1",  # carries the invitation's single-use code
    f"{B}application.answered.v1",
    f"{B}waiting_offer.made.v1",
    f"{B}requisition.applied.v1",
    f"{B}requisition.released.v1",
}


def test_every_booking_event_is_placed_as_state_or_event_only():
    assert set(bk.contract.events) == STATE_KEYS.keys() | EVENT_ONLY
    assert not STATE_KEYS.keys() & EVENT_ONLY


def test_the_contract_keys_state_events_as_the_table_says():
    assert bk.contract.state_topic == "samspill.booking.state"
    keys = {name: event.state_key for name, event in bk.contract.state_events().items()}
    assert keys == STATE_KEYS
    deleting = {name for name, event in bk.contract.events.items() if event.state_deletes}
    assert deleting == {f"{B}person.erased.v1"}


def test_facilities_has_no_state_topic():
    assert fa.contract.state_topic is None
    assert fa.contract.state_events() == {}
    closure = fa.ClosureLifted(
        closure=fa.ClosureState(
            closure_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            start=datetime(2027, 1, 4, 7, tzinfo=UTC),
            end=datetime(2027, 1, 5, 7, tzinfo=UTC),
            reason="holiday",
        )
    )
    assert fa.contract.state_entry(closure) is None


def test_an_ended_membership_and_an_erasure_leave_tombstones():
    organisation = uuid.uuid4()

    def changed(role: str | None) -> bk.MembershipChanged:
        state = bk.MembershipState(organisation_id=organisation, person_id="p-1", role=role)  # type: ignore[arg-type]
        return bk.MembershipChanged(membership=state)

    key = f"membership:{organisation}:p-1"
    assert bk.contract.state_entry(changed("booker")) == StateEntry(key)
    assert bk.contract.state_entry(changed(None)) == StateEntry(key, deletes=True)
    erased = bk.PersonErased(
        erasure=bk.PersonErasureState(
            person_id="p-1",
            erasure_id=uuid.uuid4(),
            requested_at=datetime(2027, 1, 4, tzinfo=UTC),
            requested_by="self",
        )
    )
    assert bk.contract.state_entry(erased) == StateEntry("profile:p-1", deletes=True)
    # The inbox keeps a digest of the key, never the person's id.
    assert "p-1" not in StateEntry(key).digest()
    assert StateEntry(key).digest() == state_key_digest(key)


def test_contracts_are_found_by_topic():
    assert all(contract_of(contract.topic) is contract for contract in CONTRACTS)


def test_asyncapi_lists_the_state_channel_with_its_keys():
    document = asyncapi_document()
    channel = document["channels"]["samspill_booking_state"]
    assert channel["address"] == "samspill.booking.state"
    assert {ref["$ref"].rsplit("/", 1)[-1] for ref in channel["messages"].values()} == {
        name.replace(".", "_") for name in STATE_KEYS
    }
    message = document["components"]["messages"]["samspill_booking_confirmed_v1"]
    assert message["x-state-key"] == "booking:{booking.booking_id}"
