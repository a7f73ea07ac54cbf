"""Retention of the read model's copies of residents' history, with a moved clock: copies of
residents' own bookings, series and loans that ended more than `RESIDENT_HISTORY_RETENTION_DAYS`
ago are anonymised as notifications' erasure does (contacts removed, ids replaced by markers),
in bounded batches; everything else is untouched, and a second run changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from notifications.config import NotificationsSettings
from notifications.main import definition
from notifications.personal_data.jobs import retention_job
from notifications.readmodel.tables import BookingRecord, LoanRecord, SeriesRecord
from notifications.readmodel.use_cases import erased_booker_id
from notifications.tables import messaging
from samspill.db import create_engine, session_factory, units_of_work
from samspill.migrations import upgrade
from samspill.privacy import erased_marker

pytestmark = pytest.mark.slow

# The job's clock, moved well ahead of any real day; every other instant derives from it.
NOW = datetime(2032, 3, 15, 9, 30, tzinfo=UTC)
DAYS = 365
CUTOFF = NOW - timedelta(days=DAYS)
DAY = timedelta(days=1)
ALICE, BJORN = "resident-alice-retention", "resident-bjorn-retention"
ORGANISATION = uuid.UUID("6d1b1d3e-2f5c-4a8e-9b7a-0c1d2e3f4a5b")
MARKED = erased_marker("resident-erased-before")


async def test_the_job_anonymises_exactly_the_copies_past_their_period(
    infra: Any, database_factory: Any
) -> None:
    url = await database_factory("notif_retention")
    await asyncio.to_thread(upgrade, definition.migrations_dir, url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    bookings = {
        "alice_old": _booking(ALICE, end=CUTOFF - DAY),
        "alice_older": _booking(ALICE, end=CUTOFF - 30 * DAY, status="cancelled"),
        "bjorn_old": _booking(BJORN, end=CUTOFF - timedelta(minutes=1)),
        "alice_recent": _booking(ALICE, end=CUTOFF + timedelta(minutes=1)),
        "club_old": _booking(None, end=CUTOFF - 90 * DAY),
        "marked_old": _booking(MARKED, end=CUTOFF - 90 * DAY),
    }
    series = {
        "alice_old": _series(ALICE, last=CUTOFF.date() - DAY),
        "alice_recent": _series(ALICE, last=CUTOFF.date()),
        "club_old": _series(None, last=CUTOFF.date() - 60 * DAY),
    }
    loans = {
        "alice_returned": _loan(ALICE, "returned", CUTOFF - DAY),
        "bjorn_no_show": _loan(BJORN, "no_show", CUTOFF - 10 * DAY),
        "bjorn_cancelled": _loan(BJORN, "cancelled", CUTOFF - 2 * DAY),
        "alice_returned_recent": _loan(ALICE, "returned", CUTOFF + DAY),
        "alice_overdue": _loan(ALICE, "overdue", CUTOFF - 40 * DAY),
        "bjorn_picked_up": _loan(BJORN, "picked_up", CUTOFF - 40 * DAY),
    }
    async with sessions() as session, session.begin():
        session.add_all([*bookings.values(), *series.values(), *loans.values()])
    before = await _snapshot(sessions)

    # Batches of two: the job goes on until a batch comes back short.
    settings = NotificationsSettings(resident_history_retention_days=DAYS, retention_batch_size=2)
    job = retention_job(settings, clock=lambda: NOW)
    units = units_of_work(sessions, messaging, source="/samspill/notifications")
    try:
        assert await job.run_once(units) == 3 + 1 + 3
        after = await _snapshot(sessions)
        changed = {key for key in before if before[key] != after[key]}
        assert changed == {
            ("booking", bookings["alice_old"].booking_id),
            ("booking", bookings["alice_older"].booking_id),
            ("booking", bookings["bjorn_old"].booking_id),
            ("booking_series", series["alice_old"].series_id),
            ("loan", loans["alice_returned"].loan_id),
            ("loan", loans["bjorn_no_show"].loan_id),
            ("loan", loans["bjorn_cancelled"].loan_id),
        }
        for key in changed:
            _assert_anonymised(before[key], after[key])

        assert await job.run_once(units) == 0, "a second run finds nothing more"
        assert await _snapshot(sessions) == after
    finally:
        await engine.dispose()


def _assert_anonymised(before: dict[str, Any], after: dict[str, Any]) -> None:
    """The person is gone, the facts usage needs are as they were."""
    person = before["resident_id"]
    expected = dict(before, resident_id=erased_marker(person))
    if "contact_email" in before:  # a loan
        expected |= {"contact_name": None, "contact_email": None, "contact_phone": None}
    else:  # a booking or series: the id derived from the person, and their words
        expected |= {"organisation_id": erased_booker_id(person), "activity": ""}
    assert after == expected
    assert person not in str(after)


async def _snapshot(sessions: Any) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
    found: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    async with sessions() as session:
        for table, key in (
            (BookingRecord, "booking_id"),
            (SeriesRecord, "series_id"),
            (LoanRecord, "loan_id"),
        ):
            for row in (await session.execute(select(table))).scalars():
                values = row.model_dump()
                found[(str(table.__tablename__), values[key])] = values
    return found


def _booking(resident: str | None, *, end: datetime, status: str = "confirmed") -> BookingRecord:
    start = end - timedelta(hours=2)
    return BookingRecord(
        booking_id=uuid.uuid4(),
        space_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        organisation_id=uuid.uuid5(uuid.NAMESPACE_URL, resident) if resident else ORGANISATION,
        space_name="Gymsal",
        site_name="Skolen",
        organisation_name="Privatperson" if resident else "Klubben",
        activity="Bursdag for Alice" if resident else "Håndball",
        participants=12,
        price_explanation="",
        start=start,
        end=end,
        status=status,
        version=1,
        created_at=start - 30 * DAY,
        updated_at=start - 30 * DAY,
        by_resident=resident is not None,
        resident_id=resident,
    )


def _series(resident: str | None, *, last: date) -> SeriesRecord:
    return SeriesRecord(
        series_id=uuid.uuid4(),
        space_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        organisation_id=uuid.uuid5(uuid.NAMESPACE_URL, resident) if resident else ORGANISATION,
        space_name="Gymsal",
        site_name="Skolen",
        organisation_name="Privatperson" if resident else "Klubben",
        activity="Trening med venner" if resident else "Håndball",
        local_start_time=datetime(2000, 1, 1, 18).time(),
        local_end_time=datetime(2000, 1, 1, 19).time(),
        first_date=last - 70 * DAY,
        last_date=last,
        booking_count=10,
        created_at=datetime.combine(last, datetime.min.time(), UTC) - 90 * DAY,
        resident_id=resident,
    )


def _loan(resident: str, status: str, updated: datetime) -> LoanRecord:
    pickup = updated.date() - 3 * DAY
    return LoanRecord(
        loan_id=uuid.uuid4(),
        resident_id=resident,
        centre_id=uuid.uuid4(),
        centre_name="BUA Lillestrøm",
        pickup_date=pickup,
        return_date=pickup + 2 * DAY,
        status=status,
        items=["Ski (120 cm)"],
        contact_name=f"Navn {resident}",
        contact_email=f"{resident}@example.no",
        contact_phone="+4799988877",
        version=3,
        created_at=updated - 10 * DAY,
        updated_at=updated,
    )
