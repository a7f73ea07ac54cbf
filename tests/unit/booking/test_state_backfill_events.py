"""The event a backfill of the state topic publishes for a row as it stands: its status' event
with the stored reason, the anonymised event once a resident's row names no one, always under
the aggregate's state key; and the `republished` marker survives the CloudEvents codec."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from booking.bookings.states import current_event as booking_event
from booking.bookings.tables import Booking
from booking.lending.states import current_event as loan_event
from booking.lending.tables import Loan
from samspill.events import booking as be
from samspill.events.base import REPUBLISHED_HEADER, Envelope
from samspill.privacy import erased_marker

WHEN = datetime(2026, 3, 2, 17, tzinfo=UTC)
BOOKING_EVENTS = {
    "requested": be.BookingRequested,
    "confirmed": be.BookingConfirmed,
    "rejected": be.BookingRejected,
    "cancelled": be.BookingCancelled,
}
LOAN_EVENTS = {
    "reserved": be.LoanReserved,
    "picked_up": be.LoanPickedUp,
    "returned": be.LoanReturned,
    "cancelled": be.LoanCancelled,
    "no_show": be.LoanNoShow,
    "overdue": be.LoanOverdue,
}


def booking_row(status: str, *, club: bool, erased: bool) -> Booking:
    return Booking(
        id=uuid.uuid4(),
        space_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        organisation_id=uuid.uuid4() if club else None,
        booker_sub=erased_marker("person-1") if erased else "person-1",
        activity="Trening",
        audience="children_youth",
        participants=10,
        start=WHEN,
        end=WHEN,
        status=status,
        price_ore=0,
        price_explanation="",
        price_explanation_en="",
        cancellation_reason="closure" if status == "cancelled" else None,
        rejection_reason="Opptatt" if status == "rejected" else None,
        version=3,
        created_at=WHEN,
        updated_at=WHEN,
    )


def booking_state_of(row: Booking) -> be.BookingState:
    return be.BookingState(
        booking_id=row.id,
        space_id=row.space_id,
        space_name="Gymsal",
        site_id=row.site_id,
        site_name="Skolen",
        organisation_id=row.organisation_id or uuid.uuid4(),
        organisation_name="Klubben",
        activity=row.activity,
        audience="children_youth",
        participants=row.participants,
        start=row.start,
        end=row.end,
        local_start="2026-03-02T18:00",
        local_end="2026-03-02T18:00",
        status=row.status,
        price_ore=0,
        price_explanation="",
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@given(st.sampled_from(sorted(BOOKING_EVENTS)), st.booleans(), st.booleans())
def test_a_booking_goes_out_as_its_status_or_anonymised(
    status: str, club: bool, erased: bool
) -> None:
    row = booking_row(status, club=club, erased=erased)
    state = booking_state_of(row)
    event = booking_event(row, state)
    anonymised = erased and not club
    expected = be.BookingAnonymised if anonymised else BOOKING_EVENTS[status]
    assert type(event) is expected
    entry = event.state_entry()
    assert entry is not None
    assert (entry.key, entry.deletes) == (f"booking:{row.id}", False)
    assert event.model_dump()["booking"] == state.model_dump()  # the version and data as stored
    if isinstance(event, be.BookingCancelled):
        assert event.reason == "closure"
    if isinstance(event, be.BookingRejected):
        assert event.reason == "Opptatt"


@given(st.sampled_from(sorted(LOAN_EVENTS)), st.booleans())
def test_a_loan_goes_out_as_its_status_or_anonymised(status: str, erased: bool) -> None:
    resident = erased_marker("person-1") if erased else "person-1"
    row = Loan(
        loan_id=uuid.uuid4(),
        resident_id=resident,
        centre_id=uuid.uuid4(),
        pickup_date=date(2026, 3, 2),
        return_date=date(2026, 3, 4),
        status=status,
        contact={},
        cancel_reason="stock" if status == "cancelled" else None,
        damage_notes="Riper" if status == "returned" else None,
        version=2,
        created_at=WHEN,
        updated_at=WHEN,
    )
    state = be.LoanState(
        loan_id=row.loan_id,
        resident_id=resident,
        centre_id=row.centre_id,
        centre_name="BUA",
        pickup_date=row.pickup_date,
        return_date=row.return_date,
        status=status,
        lines=[],
        contact=be.Contact(),
        version=2,
        created_at=WHEN,
        updated_at=WHEN,
    )
    event = loan_event(row, state)
    assert type(event) is (be.LoanAnonymised if erased else LOAN_EVENTS[status])
    entry = event.state_entry()
    assert entry is not None
    assert entry.key == f"loan:{row.loan_id}"
    assert event.model_dump()["loan"] == state.model_dump()
    if isinstance(event, be.LoanCancelled):
        assert event.reason == "stock"
    if isinstance(event, be.LoanReturned):
        assert event.damage_notes == "Riper"


def test_the_republished_marker_survives_the_codec() -> None:
    data = be.ProfileChanged(profile=be.ProfileState(person_id="person-1"))
    for republished in (True, False):
        envelope = Envelope(data=data, subject="person-1", republished=republished)
        headers = envelope.headers()
        assert ((REPUBLISHED_HEADER, b"true") in headers) is republished
        decoded = be.contract.decode(headers, envelope.value())
        assert decoded.republished is republished
        assert decoded.data == data
