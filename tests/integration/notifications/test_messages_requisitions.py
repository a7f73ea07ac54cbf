"""A requisition in notifications: the bookings and loans it cancelled reach each affected
person as one message (not one per booking), a redelivered or republished `requisition.applied`
sends nothing new, and lifting it offers each club its times back in one message.

Nothing here depends on the calendar: notifications opens no windows and closes nothing on
holidays, and 18:00 exists on every Oslo date.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import Envelope
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    Mailbox,
    School,
    booking_state,
    changed,
    loan_state,
    oslo,
    publish,
    smtp_server,
)
from tests.integration.notifications.test_messages_rounds import applied, rows
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

CANCELLED, OFFERED = "requisition_cancelled", "requisition_offered_back"


async def test_one_message_per_person_for_a_requisition(infra, isolated_kafka, database_factory):
    mailbox = Mailbox()
    async with smtp_server(mailbox) as smtp_port:
        settings = settings_for(
            "notifications",
            database_url=await database_factory("notif_requisitions"),
            kafka=isolated_kafka,
            redis_url=infra.redis.url,
            smtp_port=smtp_port,
            delivery_poll_interval_s=0.05,
        )
        async with running_service("notifications", settings) as service:
            await _scenario(service, isolated_kafka, mailbox)


async def _scenario(service: RunningService, kafka: Any, mailbox: Mailbox) -> None:
    school, club, other = School(), Club(), Club(name="Kjeller IL", email="post@kjeller-il.no")
    today = datetime.now(OSLO).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 7)
    sunday = saturday + timedelta(days=1)
    await publish(kafka, *school.registration(today, today + timedelta(weeks=8)))
    await publish(kafka, club.registered(), other.registered())
    club_bookings = [
        booking_state(school, club, oslo(saturday, 17), oslo(saturday, 19)),
        booking_state(school, club, oslo(sunday, 17), oslo(sunday, 18)),
        booking_state(school, club, oslo(sunday, 19), oslo(sunday, 21), space_id=school.hall_id),
    ]
    other_booking = booking_state(school, other, oslo(saturday, 19), oslo(saturday, 21))
    loan = loan_state("resident-1", saturday, sunday)
    bookings = [*club_bookings, other_booking]
    await publish(
        kafka,
        *((bk.BookingConfirmed(booking=b), str(b.space_id)) for b in bookings),
        (bk.LoanReserved(loan=loan), str(loan.loan_id)),
    )
    before = 5 + 2 + len(bookings) + 1

    async def settled(count: int) -> Any:
        async def done() -> bool:
            return await applied(service) >= count

        await eventually(done, timeout=30)

    await settled(before)
    requisition = fa.RequisitionState(
        requisition_id=uuid.uuid4(),
        site_id=school.site_id,
        site_name=school.name,
        start=oslo(saturday, 0),
        end=oslo(sunday + timedelta(days=1), 0),
        reason="Evakueringssenter etter flom",
    )
    cancelled = [changed(b, status="cancelled") for b in bookings]
    loan_cancelled = loan.model_copy(update={"status": "cancelled", "version": 2})
    applied_event = bk.RequisitionApplied(
        requisition=requisition, bookings=cancelled, loans=[loan_cancelled]
    )
    envelope = Envelope(data=applied_event, subject=str(requisition.requisition_id))
    site = str(school.site_id)
    await publish(
        kafka,
        *(
            (bk.BookingCancelled(booking=b, reason="requisition"), str(b.space_id))
            for b in cancelled
        ),
        (bk.LoanCancelled(loan=loan_cancelled, reason="requisition"), str(loan.loan_id)),
        envelope,
        envelope,  # redelivered: not applied again
        (applied_event, site),  # published again under a new id: told once all the same
    )
    await settled(before + len(cancelled) + 1 + 2)

    club_key = f"organisation:{club.organisation_id}"
    other_key = f"organisation:{other.organisation_id}"
    told = await rows(service, kind=CANCELLED)
    assert len(told) == 3, [m.recipient for m in told]
    [to_club] = [m for m in told if m.recipient == club_key]
    [to_other] = [m for m in told if m.recipient == other_key]
    assert to_club.aggregate_id == str(requisition.requisition_id)
    assert "Evakueringssenter etter flom" in to_club.body
    assert to_club.body.count("\n- ") == 3
    assert "Skjetten skole, Aula" in to_club.body
    assert to_other.body.count("\n- ") == 1
    [to_resident] = [m for m in told if m not in (to_club, to_other)]
    assert "BUA Lillestrøm (utlån)" in to_resident.body
    # The per-booking cancellations sent nothing of their own.
    assert await rows(service, kind="booking_cancelled") == []

    def delivered(address: str) -> list[str]:
        return [str(m["Subject"]) for m in mailbox.to(address) if "rekvirert" in str(m["Subject"])]

    async def all_delivered() -> bool:
        addresses = (club.email, other.email, "familien@example.no")
        return all(len(delivered(a)) == 1 for a in addresses)

    await eventually(all_delivered, timeout=30)

    # Lifted: the club's times still free are offered back, in one message per club.
    released = bk.RequisitionReleased(requisition=requisition, offered=cancelled[:3])
    await publish(kafka, (released, site))
    await settled(before + len(cancelled) + 1 + 3)
    [offered] = await rows(service, kind=OFFERED)
    assert offered.recipient == club_key
    assert offered.body.count("\n- ") == 3
    assert "booke dem på nytt" in offered.body

    async def offer_delivered() -> bool:
        return any("frigitt" in str(m["Subject"]) for m in mailbox.to(club.email))

    await eventually(offer_delivered, timeout=30)
    assert len(delivered(club.email)) == 1
