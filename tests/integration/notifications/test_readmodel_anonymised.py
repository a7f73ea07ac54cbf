"""Booking's anonymised states (after an erasure or its history's retention) replace the read
model's copies of a resident's booking, series and loan, and queue no message."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from notifications.messages.tables import Message
from notifications.readmodel.tables import BookingRecord, LoanRecord, SeriesRecord
from samspill.events import booking as bk
from samspill.privacy import erased_marker
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    School,
    booking_state,
    loan_state,
    oslo,
    publish,
)
from tests.integration.notifications.test_readmodel_rebuild import series_state
from tests.integration.planted_values import where_found
from tests.support import eventually, running_service, settings_for

pytestmark = pytest.mark.slow

NAME = "Zacharias Anonymsen"
EMAIL = "zacharias.anonymsen@example.no"
NOTE = "Anonymsen bursdag"


async def test_anonymised_states_replace_the_residents_copies(
    infra, isolated_kafka, database_factory
):
    settings = settings_for(
        "notifications",
        database_url=await database_factory("notif_anonymised"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        delivery_retry_base_s=3600,
    )
    async with running_service("notifications", settings) as service:
        person = service.person_id("resident-anonymsen")
        marker = erased_marker(person)
        club, school = Club(), School()
        day = datetime.now(OSLO).date() + timedelta(weeks=3)
        resident = {
            "organisation_id": uuid.uuid5(uuid.NAMESPACE_URL, person),
            "organisation_name": "Privatperson",
            "activity": NOTE,
            "audience": "private",
            "by_resident": True,
            "resident_id": person,
            "contact": bk.Contact(name=NAME, email=EMAIL),
        }
        own = booking_state(school, club, oslo(day, 18), oslo(day, 20)).model_copy(
            update={**resident, "series_id": uuid.uuid4()}
        )
        series = series_state(school, club, [own], None).model_copy(
            update={
                key: resident[key]
                for key in ("organisation_id", "organisation_name", "activity", "contact")
            }
            | {"resident_id": person}
        )
        loan = loan_state(person, day, day + timedelta(days=2), email=EMAIL)
        await publish(
            isolated_kafka,
            (bk.BookingConfirmed(booking=own), str(own.space_id)),
            (bk.SeriesCreated(series=series), str(own.space_id)),
            (bk.LoanReturned(loan=loan.model_copy(update={"status": "returned"})), "c"),
        )

        async def queued() -> int:
            async with service.app.state.runtime.sessions() as session:
                return int(await session.scalar(select(func.count()).select_from(Message)) or 0)

        async def there() -> bool:
            async with service.app.state.runtime.sessions() as session:
                return (
                    await session.get(LoanRecord, loan.loan_id) is not None
                    and await session.get(BookingRecord, own.booking_id) is not None
                    and await session.get(SeriesRecord, series.series_id) is not None
                )

        await eventually(there)
        messages = await queued()

        scrubbed = {"resident_id": marker, "contact": None, "activity": "privat"}
        await publish(
            isolated_kafka,
            (bk.BookingAnonymised(booking=own.model_copy(update=scrubbed)), str(own.space_id)),
            (bk.SeriesAnonymised(series=series.model_copy(update=scrubbed)), str(own.space_id)),
            (
                bk.LoanAnonymised(
                    loan=loan.model_copy(
                        update={
                            "status": "returned",
                            "resident_id": marker,
                            "contact": bk.Contact(),
                        }
                    )
                ),
                "c",
            ),
        )

        async def anonymised() -> bool:
            async with service.app.state.runtime.sessions() as session:
                rows = [
                    await session.get(LoanRecord, loan.loan_id),
                    await session.get(BookingRecord, own.booking_id),
                    await session.get(SeriesRecord, series.series_id),
                ]
                return all(row is not None and row.resident_id == marker for row in rows)

        await eventually(anonymised)
        async with service.app.state.runtime.sessions() as session:
            booking = await session.get(BookingRecord, own.booking_id, populate_existing=True)
            kept = await session.get(SeriesRecord, series.series_id, populate_existing=True)
            assert booking is not None
            assert kept is not None
            assert (booking.resident_id, booking.activity) == (marker, "privat")
            assert (kept.resident_id, kept.activity) == (marker, "privat")
            assert booking.status == "confirmed"
            found = await where_found(session, [NAME, EMAIL, NOTE, person])
            copies = [
                hit for hit in found if hit.split(".")[0] in ("booking", "booking_series", "loan")
            ]
            assert copies == []
        assert await queued() == messages, "nothing is sent for an anonymised state"
