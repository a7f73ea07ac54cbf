"""A person's data in notifications, end to end: a person with distinctive name, email, phone
and notes books, borrows, is invited, chooses a preference and takes a loans feed; their export
holds every planted value; after booking's `PersonErased` one confirmation reaches them through
a real SMTP server (aiosmtpd) and then loses its address and text, no table holds any planted
value, the organisation's data is untouched, and a second event changes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from notifications.messages.tables import Message
from notifications.readmodel.tables import OrganisationRecord
from samspill.events import booking as bk
from samspill.privacy import erased_marker
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    Mailbox,
    School,
    booking_state,
    invitation,
    loan_state,
    membership,
    oslo,
    profile,
    publish,
    smtp_server,
)
from tests.integration.planted_values import table_digest, where_found
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

SUB = "resident-plantesen"
NAME = "Zacharias Plantesen"
EMAIL = "zacharias.plantesen@example.no"
PHONE = "+4799911122"
NOTE = "Plantenotat bursdag Zacharias"
# Kept by the kernel on purpose: who looked at whose data (the access log), and the inbox of
# applied event ids.
KEPT_TABLES = ("access_log", "inbox")


async def test_export_then_erasure_leaves_nothing_of_the_person(
    infra, isolated_kafka, database_factory
):
    mailbox = Mailbox()
    async with smtp_server(mailbox) as smtp_port:
        settings = settings_for(
            "notifications",
            database_url=await database_factory("notif_personal_data"),
            kafka=isolated_kafka,
            redis_url=infra.redis.url,
            smtp_port=smtp_port,
            delivery_poll_interval_s=0.05,
        )
        async with running_service("notifications", settings) as service:
            await _scenario(service, isolated_kafka, mailbox)


async def _scenario(service: RunningService, kafka: Any, mailbox: Mailbox) -> None:
    person = service.person_id(SUB)
    me = service.token(SUB)
    club, school = Club(), School()
    today = datetime.now(OSLO).date()
    later = today + timedelta(weeks=3)
    own = booking_state(school, club, oslo(later, 18), oslo(later, 20)).model_copy(
        update={
            "organisation_id": uuid.uuid5(uuid.NAMESPACE_URL, person),
            "organisation_name": "Privatperson",
            "activity": NOTE,
            "audience": "private",
            "by_resident": True,
            "resident_id": person,
            "contact": bk.Contact(name=NAME, email=EMAIL, phone=PHONE),
        }
    )
    clubs = booking_state(school, club, oslo(later, 19), oslo(later, 21))
    loan = loan_state(person, later, later + timedelta(days=2), email=EMAIL).model_copy(
        update={"contact": bk.Contact(name=NAME, email=EMAIL, phone=PHONE)}
    )
    await publish(
        kafka,
        *school.registration(today, today + timedelta(weeks=8)),
        club.registered(),
        profile(person, email=EMAIL, phone=PHONE, display_name=NAME),
        membership(club.organisation_id, person),
        (bk.BookingConfirmed(booking=own), str(own.space_id)),
        (bk.BookingConfirmed(booking=clubs), str(clubs.space_id)),
        (bk.LoanReserved(loan=loan), str(loan.loan_id)),
        (invitation(club, EMAIL, datetime.now(UTC) + timedelta(days=7)), str(club.organisation_id)),
    )
    chosen = await service.client.put(
        "/preferences/resident/me", json={"channel": "email", "language": "en"}, headers=me
    )
    assert chosen.status_code == 200, chosen.text
    issued = await service.client.post("/feed-tokens", json={"kind": "loans"}, headers=me)
    assert issued.status_code == 201, issued.text
    secret = issued.json()["token"]

    # Sent: the booking and loan confirmations and the invitation; the reminders wait.
    await eventually(lambda: _count(mailbox, at_least=3))
    await eventually(lambda: _sent_to(service, EMAIL, 3))

    export = await _export(service, person, me, secret)
    await _staff_export(service, person)

    # The erasure, as booking publishes it.
    erasure = bk.PersonErasureState(
        person_id=person,
        erasure_id=uuid.uuid4(),
        requested_at=datetime.now(UTC),
        requested_by="self",
    )
    before = len(mailbox.to(EMAIL))
    await publish(kafka, (bk.PersonErased(erasure=erasure), person))
    await eventually(lambda: _count(mailbox, at_least=before + 1))
    confirmation = mailbox.to(EMAIL)[-1]
    assert str(confirmation["Subject"]) == "Your data has been erased"  # their language
    assert NAME not in mailbox.bodies(EMAIL)[-1]
    row = await eventually(lambda: _confirmation(service))
    assert row.recipient == f"resident:{erased_marker(person)}"

    planted = [NAME, EMAIL, PHONE, NOTE, person]
    async with service.app.state.runtime.sessions() as session:
        assert await where_found(session, planted, skip_tables=KEPT_TABLES) == []
        kept = await session.get(OrganisationRecord, club.organisation_id)
        assert kept is not None
        assert kept.contact_email == club.email, "the club is untouched"
        club_messages = await session.execute(
            select(Message).where(Message.recipient == f"organisation:{club.organisation_id}")
        )
        assert all(m.address == club.email and m.body for m in club_messages.scalars())
    assert (await service.client.get(f"/feeds/loans/{secret}.ics")).status_code == 404
    after = (await service.client.get("/me/data", headers=me)).json()
    assert all(rows == [] for rows in after["sections"].values()), after
    assert export  # what the person had before

    # The same event again, and a second erasure of the same person: nothing changes.
    async with service.app.state.runtime.sessions() as session:
        digest = await table_digest(session, skip_tables=KEPT_TABLES)
    again = erasure.model_copy(update={"erasure_id": uuid.uuid4()})
    await publish(
        kafka,
        (bk.PersonErased(erasure=erasure), person),
        (bk.PersonErased(erasure=again), person),
    )
    await eventually(lambda: _inbox_count(service, at_least=3))
    async with service.app.state.runtime.sessions() as session:
        assert await table_digest(session, skip_tables=KEPT_TABLES) == digest
    assert len(mailbox.to(EMAIL)) == before + 1, "one confirmation only"


async def _export(service: RunningService, person: str, me: dict[str, str], secret: str) -> dict:
    response = await service.client.get("/me/data", headers=me)
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["service"] == "notifications"
    assert export["person_id"] == person
    text = json.dumps(export, ensure_ascii=False)
    for value in (NAME, EMAIL, PHONE, NOTE):
        assert value in text, value
    sections = export["sections"]
    assert sections["profile"][0]["display_name"] == NAME
    assert sections["preferences"][0]["language"] == "en"
    assert len(sections["feed_tokens"]) == 1
    assert secret not in text
    assert "token_hash" not in sections["feed_tokens"][0]
    assert {m["kind"] for m in sections["messages"]} >= {
        "booking_confirmed",
        "loan_reserved",
        "invitation",
    }
    assert sections["reminders"], "the reminders waiting for them"
    assert sections["loans"][0]["contact_phone"] == PHONE
    assert sections["bookings"][0]["activity"] == NOTE
    assert sections["access_grants"]
    return export


async def _staff_export(service: RunningService, person: str) -> None:
    admin = service.token("admin-1", admin=True)
    path = f"/people/{person}/data"
    missing = await service.client.get(path, headers=admin)
    assert missing.status_code == 422
    stranger = await service.client.get(
        path, params={"reason": "sak 2027/17"}, headers=service.token("nosy")
    )
    assert stranger.status_code == 403
    answered = await service.client.get(path, params={"reason": "sak 2027/17"}, headers=admin)
    assert answered.status_code == 200, answered.text
    assert EMAIL in json.dumps(answered.json())
    logged = await service.client.get("/access-log", params={"person_id": person}, headers=admin)
    assert logged.status_code == 200, logged.text
    entries = logged.json()["items"]
    assert [(e["subject_kind"], e["why"]) for e in entries] == [("export", "sak 2027/17")]


async def _count(mailbox: Mailbox, *, at_least: int) -> bool:
    return len(mailbox.to(EMAIL)) >= at_least


async def _sent_to(service: RunningService, address: str, count: int) -> bool:
    async with service.app.state.runtime.sessions() as session:
        rows = await session.execute(
            select(Message).where(Message.address == address, Message.status == "sent")
        )
        return len(rows.scalars().all()) >= count


async def _confirmation(service: RunningService) -> Message | None:
    """The confirmation once delivered and forgotten: no address, no text, no error."""
    async with service.app.state.runtime.sessions() as session:
        row = (
            await session.execute(select(Message).where(Message.kind == "erasure_confirmed"))
        ).scalar_one_or_none()
    if row is None or row.status != "sent":
        return None
    assert row.address is None
    assert row.body == ""
    assert row.last_error is None
    return row


async def _inbox_count(service: RunningService, *, at_least: int) -> bool:
    from sqlalchemy import text

    async with service.app.state.runtime.sessions() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM inbox WHERE event_type = :t"),
            {"t": "samspill.booking.person.erased.v1"},
        )
    return int(count or 0) >= at_least
