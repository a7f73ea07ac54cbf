"""What entries show: a part's booking in the whole hall's feed, a resident's booking, a new
series' SEQUENCE and a loan's finished steps."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from notifications.domain.entries import (
    PRIVATE_SUMMARY,
    Audience,
    BookingView,
    LoanView,
    SeriesView,
    booking_entries,
    loan_entries,
)
from notifications.domain.feed import EntryStatus

from .feed_builders import oslo

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)
CREATED = datetime(2026, 8, 20, 9, tzinfo=UTC)
TUESDAYS = [date(2026, 9, 8) + timedelta(weeks=n) for n in range(6)]


def booking(day: date, **changes: object) -> BookingView:
    view = BookingView(
        booking_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{day}{changes}"),
        series_id=None,
        space_name="Tredjedel A",
        site_name="Kjeller skole",
        organisation_name="Kjeller IL",
        activity="håndball",
        participants=20,
        price_explanation="Gratis",
        start=oslo(day, 18),
        end=oslo(day, 20),
        status="confirmed",
        version=1,
        created_at=CREATED,
        updated_at=CREATED,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("audience", list(Audience))
def test_a_residents_booking_never_shows_its_activity(audience: Audience) -> None:
    private = booking(TUESDAYS[0], by_resident=True, organisation_name="Privatperson")
    (entry,) = booking_entries([private], [], audience, now=NOW)
    assert entry.summary == PRIVATE_SUMMARY
    assert "håndball" not in entry.description


def test_a_booking_of_another_space_is_named_by_its_space() -> None:
    other = booking(TUESDAYS[0], other_space=True)
    own = booking(TUESDAYS[1])
    entries = booking_entries([other, own], [], Audience.PUBLIC, now=NOW)
    assert sorted(e.summary for e in entries) == [
        "Kjeller IL – håndball",
        "Tredjedel A: Kjeller IL – håndball",
    ]


def test_a_new_series_has_sequence_0_and_each_change_adds_one() -> None:
    series_id = uuid.uuid4()
    known = [
        SeriesView(
            series_id=series_id,
            space_name="Tredjedel A",
            site_name="Kjeller skole",
            organisation_name="Kjeller IL",
            activity="håndball",
            local_start_time=time(18),
            local_end_time=time(20),
            first_date=TUESDAYS[0],
            last_date=TUESDAYS[-1],
            created_at=CREATED,
        )
    ]
    members = [booking(day, series_id=series_id) for day in TUESDAYS]
    sequences = [booking_entries(members, known, Audience.PUBLIC, now=NOW)[0].sequence]
    for number in (1, 3, 1):
        members[number] = replace(members[number], version=members[number].version + 1)
        sequences.append(booking_entries(members, known, Audience.PUBLIC, now=NOW)[0].sequence)
    assert sequences == [0, 1, 2, 3]


def loan(status: str, version: int, updated: datetime = CREATED) -> LoanView:
    return LoanView(
        loan_id=uuid.UUID(int=5),
        centre_name="BUA Lillestrøm",
        pickup_date=date(2026, 9, 7),
        return_date=date(2026, 9, 11),
        status=status,
        items=("Telt",),
        version=version,
        created_at=CREATED,
        updated_at=updated,
    )


def test_a_loans_finished_steps_say_so_and_stay_confirmed() -> None:
    def shown(view: LoanView) -> list[tuple[str, date, EntryStatus, int]]:
        return [
            (e.summary, e.start.date(), e.status, e.sequence) for e in loan_entries([view], now=NOW)
        ]

    assert shown(loan("reserved", 1)) == [
        ("Hent utstyr / pick up: Telt", date(2026, 9, 7), EntryStatus.CONFIRMED, 1),
        ("Lever utstyr / return: Telt", date(2026, 9, 11), EntryStatus.CONFIRMED, 1),
    ]
    assert shown(loan("picked_up", 2))[0][0] == "Hentet / picked up: Telt"
    assert shown(loan("picked_up", 2))[1][0] == "Lever utstyr / return: Telt"
    returned_early = datetime(2026, 9, 9, 14, tzinfo=UTC)
    assert shown(loan("returned", 3, returned_early)) == [
        ("Hentet / picked up: Telt", date(2026, 9, 7), EntryStatus.CONFIRMED, 3),
        ("Levert / returned: Telt", date(2026, 9, 9), EntryStatus.CONFIRMED, 3),
    ]
    assert {s for _, _, s, _ in shown(loan("cancelled", 2))} == {EntryStatus.CANCELLED}
