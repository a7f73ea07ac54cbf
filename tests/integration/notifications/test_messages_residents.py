"""A resident's own bookings reach the resident: the confirmation, the reminder and a closure's
cancellation are emailed (to a real SMTP server, aiosmtpd) at the contact the resident gave
with the booking, a series is told once, and the resident's preference picks SMS in English.

The events are published as booking publishes them. Nothing here depends on the calendar
(notifications opens no windows and closes nothing on holidays), so the booking "tomorrow"
that makes its reminder due at once is safe on every day: 18:00 exists on every Oslo date.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from notifications.messages.tables import Message
from samspill.events import booking as bk
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    Mailbox,
    School,
    booking_state,
    changed,
    oslo,
    publish,
    smtp_server,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

RESIDENT = "resident-berg"  # the subject of the resident's token
FAMILY = bk.Contact(name="Familien Berg", email="familien.berg@example.no", phone="+4740000000")


def resident_booking(
    school: School, resident_id: str, start: datetime, end: datetime, **updates: Any
) -> bk.BookingState:
    """A resident's own booking as booking publishes it: a neutral public name, the person id
    and the contact only in the private members."""
    state = booking_state(school, Club(), start, end)
    return state.model_copy(
        update={
            "organisation_id": uuid.uuid5(uuid.NAMESPACE_URL, resident_id),
            "organisation_name": "Privatperson",
            "activity": "bursdagsfeiring",
            "audience": "private",
            "price_ore": 160_000,
            "resident_id": resident_id,
            "contact": FAMILY,
            **updates,
        }
    )


async def rows(service: RunningService, **where: str) -> list[Message]:
    async with service.app.state.runtime.sessions() as session:
        statement = select(Message).order_by(Message.created_at)
        for name, value in where.items():
            statement = statement.where(getattr(Message, name) == value)
        return list((await session.execute(statement)).scalars())


async def test_a_resident_is_told_of_their_booking(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with smtp_server(mailbox) as smtp_port:
        settings = settings_for(
            "notifications",
            database_url=await database_factory("notif_residents"),
            kafka=isolated_kafka,
            redis_url=infra.redis.url,
            smtp_port=smtp_port,
            sms_sink_dir=tmp_path / "sms",  # SMS can be chosen: the development sink
            delivery_poll_interval_s=0.05,
            reminder_time=time(0, 0),  # "tomorrow" reminders are due from midnight the day before
        )
        async with running_service("notifications", settings) as service:
            await _scenario(service, isolated_kafka, mailbox)


async def _scenario(service: RunningService, kafka: Any, mailbox: Mailbox) -> None:
    school = School()
    person = service.person_id(RESIDENT)
    today = datetime.now(OSLO).date()
    tomorrow = today + timedelta(days=1)
    await publish(kafka, *school.registration(today, today + timedelta(weeks=8)))

    # Confirmed for tomorrow: the confirmation and, due at once, the reminder.
    booking = resident_booking(school, person, oslo(tomorrow, 18), oslo(tomorrow, 20))
    await publish(kafka, (bk.BookingConfirmed(booking=booking), str(booking.space_id)))
    confirmed = await eventually(lambda: _mail(mailbox, "er bekreftet"))
    assert "Gymsal" in confirmed
    await eventually(lambda: _mail(mailbox, "Påminnelse"))

    # The school closes the gym that evening: the cancellation, with the closure's note.
    closure = school.closure(oslo(tomorrow, 17), oslo(tomorrow, 22), "Foreldremøte")
    cancelled = bk.BookingCancelled(
        booking=changed(booking, status="cancelled"), reason="closure", closure=closure.closure
    )
    await publish(kafka, (cancelled, str(booking.space_id)))
    body = await eventually(lambda: _mail(mailbox, "er avlyst"))
    assert "fordi lokalet er stengt (Foreldremøte)" in body

    key = f"resident:{person}"
    # The SMTP server has a mail before the delivery worker commits it as sent: wait for that.
    told = await eventually(lambda: _all_sent(service, key, 3))
    assert {m.kind for m in told} == {
        "booking_confirmed",
        "reminder_booking_tomorrow",
        "booking_cancelled",
    }
    assert not await rows(service, status="undeliverable")
    resident = service.token(RESIDENT)
    own = (await service.client.get("/messages", headers=resident)).json()
    assert {m["recipient"] for m in own} == {key}
    assert len(own) == 3

    await _series_told_once(service, kafka, mailbox, school, today)
    await _preference_picks_sms_in_english(service, kafka, school, today)


async def _series_told_once(
    service: RunningService, kafka: Any, mailbox: Mailbox, school: School, today: date
) -> None:
    """A resident's weekly series whose bookings arrive before the series itself."""
    series_id = uuid.uuid4()
    first = today + timedelta(weeks=3)
    person = service.person_id(RESIDENT)
    bookings = [
        resident_booking(
            school,
            person,
            oslo(first + timedelta(weeks=n), 19),
            oslo(first + timedelta(weeks=n), 20),
            series_id=series_id,
        )
        for n in range(3)
    ]
    sample = bookings[0]
    series = bk.SeriesState(
        series_id=series_id,
        space_id=sample.space_id,
        space_name=sample.space_name,
        site_id=sample.site_id,
        site_name=sample.site_name,
        organisation_id=sample.organisation_id,
        organisation_name=sample.organisation_name,
        activity="korøvelse",
        weekday=first.weekday(),
        local_start_time="19:00",
        local_end_time="20:00",
        first_date=first,
        last_date=first + timedelta(weeks=2),
        booking_ids=[b.booking_id for b in bookings],
        skipped=[],
        created_at=sample.created_at,
        resident_id=person,
        contact=FAMILY,
    )
    await publish(
        kafka,
        *((bk.BookingConfirmed(booking=b), str(b.space_id)) for b in bookings),
        (bk.SeriesCreated(series=series), str(series.space_id)),
    )
    await eventually(lambda: _mail(mailbox, "ukentlig 3 ganger"))
    assert sum("er bekreftet" in b for b in mailbox.bodies(FAMILY.email or "")) == 2


async def _preference_picks_sms_in_english(
    service: RunningService, kafka: Any, school: School, today: date
) -> None:
    resident = service.token(RESIDENT)
    choice = {"channel": "sms", "language": "en"}
    answer = await service.client.put("/preferences/resident/me", json=choice, headers=resident)
    assert answer.status_code == 200, answer.text
    later = today + timedelta(weeks=6)
    booking = resident_booking(
        school, service.person_id(RESIDENT), oslo(later, 18), oslo(later, 19)
    )
    await publish(kafka, (bk.BookingConfirmed(booking=booking), str(booking.space_id)))

    async def sent_sms() -> list[Message]:
        return await rows(service, kind="booking_confirmed", channel="sms", status="sent")

    [sms] = await eventually(sent_sms)
    assert sms.recipient == f"resident:{service.person_id(RESIDENT)}"
    assert sms.address == FAMILY.phone
    assert "is confirmed" in sms.body


async def _all_sent(service: RunningService, key: str, count: int) -> list[Message] | None:
    found = await rows(service, recipient=key)
    return found if len(found) == count and all(m.status == "sent" for m in found) else None


async def _mail(mailbox: Mailbox, text: str) -> str | None:
    return next((b for b in mailbox.bodies(FAMILY.email or "") if text in b), None)
