"""Messages from events, delivered over real SMTP (aiosmtpd) and the development SMS sink:
who is told what, retries, reminders, preferences, redelivery and the delivery log. Members and
managers get their grants as data, through booking's and facilities' events on the broker."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta

import aiosmtplib
import pytest
from sqlalchemy import func, select

from notifications.config import NotificationsSettings
from notifications.domain.messages import RenderedMessage
from notifications.domain.recipients import Recipient
from notifications.domain.schedule import reminder_due
from notifications.main import definition
from notifications.messages.handlers import enqueue_rendered
from notifications.messages.jobs import Delivery, SmtpEmailSender
from notifications.messages.tables import Message
from notifications.readmodel.tables import ClosureRecord, OrganisationRecord
from notifications.tables import messaging
from samspill.db import create_engine, session_factory, units_of_work
from samspill.events import booking as bk
from samspill.events.base import Envelope
from samspill.migrations import upgrade
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    Mailbox,
    School,
    booking_state,
    changed,
    loan_state,
    manager_of,
    member_of,
    oslo,
    publish,
    smtp_server,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

FAMILY = "familien@example.no"


async def rows(service: RunningService, **where: str) -> list[Message]:
    async with service.app.state.runtime.sessions() as session:
        statement = select(Message).order_by(Message.created_at)
        for name, value in where.items():
            statement = statement.where(getattr(Message, name) == value)
        return list((await session.execute(statement)).scalars())


async def test_notifications_messages_from_events(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox(refuse_first=1)
    async with smtp_server(mailbox) as smtp_port:
        settings = settings_for(
            "notifications",
            database_url=await database_factory("notif_messages"),
            kafka=isolated_kafka,
            redis_url=infra.redis.url,
            smtp_port=smtp_port,
            sms_sink_dir=tmp_path / "sms",  # SMS can be chosen: the development sink
            delivery_poll_interval_s=0.05,
            delivery_retry_base_s=0.2,
            reminder_time=time(0, 0),  # "tomorrow" reminders are due from midnight the day before
        )
        async with running_service("notifications", settings) as service:
            await _scenario(service, isolated_kafka, mailbox)


async def _scenario(service: RunningService, kafka, mailbox: Mailbox) -> None:
    school, club = School(), Club()
    today = datetime.now(OSLO).date()
    tomorrow = today + timedelta(days=1)
    await _booking_before_its_organisation(service, kafka, mailbox, school, tomorrow)
    await publish(kafka, *school.registration(today, today + timedelta(weeks=8)), club.registered())
    await eventually(lambda: _known_organisation(service, club.organisation_id))

    # Confirmed for tomorrow: a confirmation and, the day before, the reminder.
    gym = booking_state(school, club, oslo(tomorrow, 18), oslo(tomorrow, 20))
    confirmed = Envelope(data=bk.BookingConfirmed(booking=gym), subject=str(gym.space_id))
    hall = booking_state(
        school, club, oslo(tomorrow, 17), oslo(tomorrow, 18), space_id=school.hall_id
    )
    await publish(
        kafka, confirmed, confirmed, (bk.BookingConfirmed(booking=hall), str(hall.space_id))
    )
    await eventually(lambda: _counted(mailbox, club.email, {"Påminnelse": 2, "er bekreftet": 2}))
    assert len(mailbox.to(club.email)) == 4, "the redelivered event sent nothing more"
    club_key = f"organisation:{club.organisation_id}"
    assert len(await rows(service, kind="booking_confirmed", recipient=club_key)) == 2
    assert [m.attempts for m in await rows(service)].count(2) == 1, "one retry, after the 451"

    # The school closes the gym that evening: cancelled with the reason and the free slots.
    # The cancellation carries its closure, so it is explained even when it arrives before the
    # closure itself on the facilities topic (here the facilities event never arrives at all).
    closure = school.closure(oslo(tomorrow, 17), oslo(tomorrow, 22), "Foreldremøte")
    cancelled = changed(gym, status="cancelled")
    cancellation = bk.BookingCancelled(booking=cancelled, reason="closure", closure=closure.closure)
    await publish(kafka, (cancellation, str(gym.space_id)))
    body = await eventually(lambda: _mail(mailbox, club.email, "er avlyst"))
    assert "fordi lokalet er stengt (Foreldremøte)" in body
    assert "Ledige tider samme kveld: Aula 18:00–22:00." in body
    assert await _known_closure(service, closure.closure.closure_id)

    # A reminder further ahead waits in the database and is cancelled with its booking.
    later_day = today + timedelta(days=3)
    later = booking_state(school, club, oslo(later_day, 19), oslo(later_day, 21))
    await publish(kafka, (bk.BookingConfirmed(booking=later), str(later.space_id)))
    reminder = (await eventually(lambda: rows(service, aggregate_id=str(later.booking_id))))[0]
    assert reminder.status == "pending"
    assert reminder.next_attempt_at == reminder_due(later_day, time(0), now=datetime.now(UTC))
    await publish(
        kafka,
        (
            bk.BookingCancelled(
                booking=changed(later, status="cancelled"), reason="by_organisation"
            ),
            str(later.space_id),
        ),
    )
    await eventually(lambda: _status(service, str(later.booking_id), "cancelled"))

    # Approval requests go to the site's own address.
    requested = booking_state(
        school,
        club,
        oslo(later_day, 17),
        oslo(later_day, 18),
        status="requested",
        space_id=school.hall_id,
    )
    await publish(kafka, (bk.BookingRequested(booking=requested), str(requested.space_id)))
    request_mail = await eventually(lambda: _mail(mailbox, school.email, "ber om"))
    assert "Godkjenn eller avslå i Samspill." in request_mail

    await _preferences_choose_sms_in_english(service, kafka, school, club, later_day)
    await _loans(service, kafka, mailbox)
    await _delivery_log(service, kafka, school, club)


async def _preferences_choose_sms_in_english(service, kafka, school, club, day) -> None:
    member = await member_of(service, kafka, "member-1", club.organisation_id)
    path = f"/preferences/organisation/{club.organisation_id}"
    choice = {"channel": "sms", "language": "en"}
    stranger = await member_of(service, kafka, "member-2", uuid.uuid4())
    assert (await service.client.put(path, json=choice, headers=stranger)).status_code == 404
    answer = await service.client.put(path, json=choice, headers=member)
    assert answer.status_code == 200, answer.text
    listed = (await service.client.get("/preferences", headers=member)).json()
    assert [(p["recipient"], p["channel"]) for p in listed] == [
        (f"organisation:{club.organisation_id}", "sms")
    ]
    booking = booking_state(school, club, oslo(day, 20), oslo(day, 22))
    await publish(kafka, (bk.BookingConfirmed(booking=booking), str(booking.space_id)))

    async def sent_sms() -> list[Message]:
        found = await rows(service, kind="booking_confirmed", channel="sms", status="sent")
        return found

    message = (await eventually(sent_sms))[0]
    assert message.address == club.phone
    assert message.body.startswith("Samspill:")
    assert "is confirmed" in message.body
    assert len(message.body) <= 160


NEIGHBOUR = "naboen@example.no"


async def _loans(service: RunningService, kafka, mailbox: Mailbox) -> None:
    pickup = datetime.now(OSLO).date() + timedelta(days=5)
    resident = service.person_id("resident-7")
    loan = loan_state(resident, pickup, pickup + timedelta(days=7), email=FAMILY)
    await publish(kafka, (bk.LoanReserved(loan=loan), str(loan.centre_id)))
    body = await eventually(lambda: _mail(mailbox, FAMILY, "Du har reservert"))
    assert "Langrennski 130 cm ×2" in body
    reminders = await rows(service, aggregate_id=str(loan.loan_id))
    assert sorted(m.kind for m in reminders) == [
        "reminder_pickup_tomorrow",
        "reminder_return_tomorrow",
    ]
    picked = loan.model_copy(update={"status": "picked_up", "version": 2})
    overdue = loan.model_copy(update={"status": "overdue", "version": 3})
    await publish(
        kafka,
        (bk.LoanPickedUp(loan=picked), str(loan.centre_id)),
        (bk.LoanOverdue(loan=overdue), str(loan.centre_id)),
    )
    overdue_mail = await eventually(lambda: _mail(mailbox, FAMILY, "skulle vært levert"))
    assert "BUA Lillestrøm" in overdue_mail
    statuses = {m.kind: m.status for m in await rows(service, aggregate_id=str(loan.loan_id))}
    assert statuses == {
        "reminder_pickup_tomorrow": "cancelled",
        "reminder_return_tomorrow": "cancelled",
    }

    # Booking took a loan before it had heard the centre's name: the family is told all the same.
    neighbour = service.person_id("resident-8")
    unnamed = loan_state(neighbour, pickup, pickup + timedelta(days=3), email=NEIGHBOUR)
    unnamed = unnamed.model_copy(update={"centre_name": ""})
    await publish(kafka, (bk.LoanReserved(loan=unnamed), str(unnamed.centre_id)))
    body = await eventually(lambda: _mail(mailbox, NEIGHBOUR, "Du har reservert"))
    assert "utstyrssentralen" in body


async def _delivery_log(service: RunningService, kafka, school: School, club: Club) -> None:
    admin = service.token("admin-1", admin=True)
    member = service.token("member-1")  # a member of the club since the preferences step
    resident = service.token("resident-7")
    everything = (await service.client.get("/messages", headers=admin)).json()
    own = (await service.client.get("/messages", headers=member)).json()
    family = (await service.client.get("/messages", headers=resident)).json()
    assert {m["recipient"] for m in own} == {f"organisation:{club.organisation_id}"}
    assert {m["recipient"] for m in family} == {f"resident:{service.person_id('resident-7')}"}
    assert len(everything) > len(own) + len(family), "the site's message is the admin's to see"
    await _site_messages_follow_the_staff_grant(service, kafka, school)
    retried = next(m for m in everything if m["attempts"] == 2)
    detail = (await service.client.get(f"/messages/{retried['id']}", headers=admin)).json()
    assert [a["ok"] for a in detail["delivery_attempts"]] == [False, True]
    assert "451" in detail["delivery_attempts"][0]["error"]
    sent = next(m for m in own if m["status"] == "sent")
    mine = (await service.client.get(f"/messages/{sent['id']}", headers=member)).json()
    assert mine["delivery_attempts"][-1]["ok"]
    hidden = await service.client.get(f"/messages/{sent['id']}", headers=resident)
    assert hidden.status_code == 404
    assert (await service.client.get("/messages")).status_code == 401


async def _site_messages_follow_the_staff_grant(service, kafka, school: School) -> None:
    """The site's messages are its manager's to see while facilities grants the site."""
    site_key = f"site:{school.site_id}"
    manager = await manager_of(service, kafka, "manager-1", [school.site_id])
    seen = (await service.client.get("/messages", headers=manager)).json()
    assert seen
    assert {m["recipient"] for m in seen} == {site_key}
    path = f"/preferences/site/{school.site_id}"
    choice = {"channel": "email", "language": "nb"}
    assert (await service.client.put(path, json=choice, headers=manager)).status_code == 200
    same_token = await manager_of(service, kafka, "manager-1", [])
    assert (await service.client.get("/messages", headers=same_token)).json() == []
    assert (await service.client.put(path, json=choice, headers=same_token)).status_code == 404
    message = await service.client.get(f"/messages/{seen[0]['id']}", headers=same_token)
    assert message.status_code == 404


async def _counted(mailbox: Mailbox, address: str, wanted: dict[str, int]) -> bool:
    bodies = mailbox.bodies(address)
    return all(sum(text in b for b in bodies) >= n for text, n in wanted.items())


async def _mail(mailbox: Mailbox, address: str, text: str) -> str | None:
    return next((b for b in mailbox.bodies(address) if text in b), None)


async def _booking_before_its_organisation(service, kafka, mailbox, school, day) -> None:
    """Its messages wait as undeliverable until the organisation's contact arrives.

    They are the first the SMTP server sees, so one of them (the confirmation or the reminder,
    whichever is due first) meets the 451 and is sent again after the retry delay.
    """
    early = Club(email="early@example.no")
    key = f"organisation:{early.organisation_id}"
    booking = booking_state(school, early, oslo(day, 20), oslo(day, 21))
    await publish(kafka, (bk.BookingConfirmed(booking=booking), str(booking.space_id)))
    waiting = await eventually(lambda: rows(service, recipient=key))
    assert {m.status for m in waiting} == {"undeliverable"}
    await publish(kafka, early.registered())
    await eventually(lambda: _counted(mailbox, early.email, {"er bekreftet": 1, "Påminnelse": 1}))
    # The server has the mail before the worker commits the attempt: wait for the rows.
    sent = await eventually(lambda: _all_sent(service, key))
    assert sorted(m.attempts for m in sent) == [1, 2]
    assert mailbox.refused == 1


async def _all_sent(service: RunningService, recipient: str) -> list[Message] | None:
    found = await rows(service, recipient=recipient)
    return found if found and all(m.status == "sent" for m in found) else None


async def _known_organisation(service: RunningService, organisation_id: uuid.UUID) -> bool:
    async with service.app.state.runtime.sessions() as session:
        return await session.get(OrganisationRecord, organisation_id) is not None


async def _known_closure(service: RunningService, closure_id: uuid.UUID) -> bool:
    async with service.app.state.runtime.sessions() as session:
        return await session.get(ClosureRecord, closure_id) is not None


async def _status(service: RunningService, aggregate_id: str, status: str) -> bool:
    return all(m.status == status for m in await rows(service, aggregate_id=aggregate_id))


async def test_notifications_two_workers_send_each_message_once(infra, database_factory):
    """Workers claim rows with SKIP LOCKED: run side by side, every message goes out once."""
    url = await database_factory("notif_workers")
    await asyncio.to_thread(upgrade, definition.migrations_dir, url)
    engine = create_engine(url, pool_size=4)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        for number in range(30):
            session.add(_pending(number, now))
    mailbox = Mailbox()
    try:
        async with smtp_server(mailbox) as port:
            sender = SmtpEmailSender(NotificationsSettings(smtp_port=port))
            units = units_of_work(sessions, messaging, source="/samspill/notifications")
            workers = [Delivery(sender, _NoSms()) for _ in range(3)]
            counts = await asyncio.gather(*(w.deliver_due(units) for w in workers))
        assert sum(counts) == 30
        assert sorted(str(m["To"]) for m in mailbox.received) == sorted(
            f"person{n}@example.no" for n in range(30)
        )
        async with sessions() as session:
            sent = await session.scalar(
                select(func.count()).select_from(Message).where(Message.status == "sent")
            )
        assert sent == 30
    finally:
        await engine.dispose()


class _NoSms:
    async def send(self, message_id: uuid.UUID, to: str, body: str) -> None:
        raise AssertionError("no SMS in this test")


def _pending(number: int, now: datetime) -> Message:
    return Message(
        dedupe_key=f"test:{number}",
        recipient=f"resident:person{number}",
        channel="email",
        address=f"person{number}@example.no",
        language="nb",
        kind="loan_reserved",
        subject=f"Melding {number}",
        body="Hei!\n",
        status="pending",
        next_attempt_at=now - timedelta(seconds=1),
        created_at=now,
    )


async def test_sending_a_message_continues_the_trace_that_queued_it(infra, database_factory, spans):
    """The consumer span that queues a message is the parent of the span that sends it, even
    though the delivery job sends it later in a transaction of its own."""
    from opentelemetry import trace

    url = await database_factory("notif_trace")
    await asyncio.to_thread(upgrade, definition.migrations_dir, url)
    engine = create_engine(url, pool_size=2)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    recipient = Recipient(key="resident:traced", email="traced@example.no", phone=None)
    with trace.get_tracer("test").start_as_current_span("process samspill.booking") as queued:
        async with sessions() as session, session.begin():
            await enqueue_rendered(
                session,
                dedupe_key="test:traced",
                recipient=recipient,
                kind="loan_reserved",
                rendered=RenderedMessage("Melding", "Hei!\n"),
                now=now - timedelta(seconds=1),
                sms=False,
            )
    mailbox = Mailbox()
    try:
        async with smtp_server(mailbox) as port:
            sender = SmtpEmailSender(NotificationsSettings(smtp_port=port))
            units = units_of_work(sessions, messaging, source="/samspill/notifications")
            assert await Delivery(sender, _NoSms()).deliver_due(units) == 1
        assert len(mailbox.received) == 1
        send = next(s for s in spans.get_finished_spans() if s.name == "send email")
        assert send.context.trace_id == queued.get_span_context().trace_id
        assert send.parent is not None
        assert send.parent.span_id == queued.get_span_context().span_id
        assert send.attributes is not None
        assert send.attributes["samspill.message.kind"] == "loan_reserved"
        assert "traced@example.no" not in str(dict(send.attributes))
    finally:
        await engine.dispose()


async def test_mail_goes_over_one_connection_opened_again_after_an_error() -> None:
    """The sender keeps its SMTP connection between messages; a refused message drops it,
    and the next message opens a new one."""
    mailbox = Mailbox(refuse_first=1)
    async with smtp_server(mailbox) as port:
        sender = SmtpEmailSender(NotificationsSettings(smtp_port=port))
        with pytest.raises(aiosmtplib.SMTPDataError):
            await sender.send(uuid.uuid4(), "first@example.no", "Melding", "Hei!\n")
        for number in range(3):
            await sender.send(uuid.uuid4(), f"person{number}@example.no", "Melding", "Hei!\n")
        await sender.close()
        await sender.send(uuid.uuid4(), "last@example.no", "Melding", "Hei!\n")
        await sender.close()
    assert [str(m["To"]) for m in mailbox.received] == [
        "person0@example.no",
        "person1@example.no",
        "person2@example.no",
        "last@example.no",
    ]
    # The refused message's connection, the three messages' one, and the one after close().
    assert len(mailbox.connections) == 3
