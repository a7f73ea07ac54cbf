"""A person's profile (booking's `ProfileChanged`) addresses their messages: a message that had
no address goes out once the profile gives one, later messages go to the profile rather than
the contact given with the loan, the person's later choice of profile or preference sets channel
and language, and an older profile arriving late changes nothing. Delivered over real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from notifications.messages.tables import Message
from notifications.readmodel.tables import ProfileRecord
from samspill.events import booking as bk
from samspill.events.base import Envelope
from tests.integration.notifications.builders import (
    OSLO,
    Mailbox,
    loan_state,
    profile,
    publish,
    smtp_server,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

SUB = "resident-kari"
GIVEN = "familien@example.no"  # the contact given with a loan
KARI = "kari@example.no"
KARI_NEW = "kari.berg@example.no"
KARI_PHONE = "+4741111111"
KARI_PHONE_NEW = "+4742222222"


async def rows(service: RunningService, **where: Any) -> list[Message]:
    async with service.app.state.runtime.sessions() as session:
        statement = select(Message).order_by(Message.created_at)
        for name, value in where.items():
            statement = statement.where(getattr(Message, name) == value)
        return list((await session.execute(statement)).scalars())


async def test_messages_go_to_the_persons_profile(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with smtp_server(mailbox) as smtp_port:
        settings = settings_for(
            "notifications",
            database_url=await database_factory("notif_profiles"),
            kafka=isolated_kafka,
            redis_url=infra.redis.url,
            smtp_port=smtp_port,
            sms_sink_dir=tmp_path / "sms",  # SMS can be chosen: the development sink
            delivery_poll_interval_s=0.05,
        )
        async with running_service("notifications", settings) as service:
            await _scenario(service, isolated_kafka, mailbox)


async def _scenario(service: RunningService, kafka: Any, mailbox: Mailbox) -> None:
    person = service.person_id(SUB)
    key = f"resident:{person}"
    pickup = datetime.now(OSLO).date() + timedelta(days=10)

    # A loan whose contact has no address: kept as undeliverable until the profile comes.
    first = _loan(person, pickup, email=None)
    await publish(kafka, (bk.LoanReserved(loan=first), str(first.centre_id)))
    waiting = await eventually(lambda: rows(service, recipient=key, kind="loan_reserved"))
    assert [m.status for m in waiting] == ["undeliverable"]
    await publish(
        kafka,
        profile(person, email=KARI, phone=KARI_PHONE, display_name="Kari Berg", channel="email"),
    )
    rescued = await eventually(lambda: _mail(mailbox, KARI, "Du har reservert"))
    assert "Langrennski" in rescued

    # The next loan carries the family's address, but the profile is where Kari is told.
    second = _loan(person, pickup, email=GIVEN)
    await publish(kafka, (bk.LoanReserved(loan=second), str(second.centre_id)))
    told = await eventually(lambda: _mail(mailbox, KARI, "Du har reservert", nth=2))
    assert told.startswith("Hei Kari Berg!")
    assert mailbox.to(GIVEN) == []
    reminders = await rows(service, aggregate_id=str(second.loan_id), status="pending")
    assert {m.address for m in reminders} == {KARI}

    # Kari then chooses SMS in English through the API: newer than the profile, so it counts.
    me = service.token(SUB)
    choice = {"channel": "sms", "language": "en"}
    answer = await service.client.put("/preferences/resident/me", json=choice, headers=me)
    assert answer.status_code == 200, answer.text
    third = _loan(person, pickup, email=GIVEN)
    await publish(kafka, (bk.LoanReserved(loan=third), str(third.centre_id)))
    [sms] = await eventually(lambda: rows(service, kind="loan_reserved", channel="sms"))
    await eventually(lambda: _status(service, sms, "sent"))
    assert (sms.channel, sms.address, sms.language) == ("sms", KARI_PHONE, "en")
    assert "You have reserved" in sms.body

    # A newer profile (email, English, new addresses) counts over the older preference, and
    # the messages still waiting go to the new addresses, each on its own channel.
    await publish(
        kafka,
        profile(person, email=KARI_NEW, phone=KARI_PHONE_NEW, display_name="Kari", language="en"),
    )
    await eventually(lambda: _readdressed(service, second, KARI_NEW))
    await eventually(lambda: _readdressed(service, third, KARI_PHONE_NEW))
    fourth = _loan(person, pickup, email=GIVEN)
    await publish(kafka, (bk.LoanReserved(loan=fourth), str(fourth.centre_id)))
    body = await eventually(lambda: _mail(mailbox, KARI_NEW, "You have reserved"))
    assert body.startswith("Hello Kari!")

    # A profile older than the one applied (events replayed, or delivered late) is ignored.
    stale = Envelope(
        data=profile(person, email="old@example.no", channel="sms")[0],
        subject=person,
        time=datetime.now(UTC) - timedelta(hours=1),
    )
    await publish(kafka, stale)
    await _applied(service, stale.id)
    async with service.app.state.runtime.sessions() as session:
        kept = await session.get(ProfileRecord, person)
    assert kept is not None
    assert (kept.email, kept.channel) == (KARI_NEW, "email")

    own = (await service.client.get("/messages", headers=me)).json()
    assert {m["recipient"] for m in own} == {key}
    assert mailbox.to("old@example.no") == []


def _loan(person: str, pickup: Any, *, email: str | None) -> bk.LoanState:
    loan = loan_state(person, pickup, pickup + timedelta(days=3))
    return loan.model_copy(update={"contact": bk.Contact(name="Familien Berg", email=email)})


async def _mail(mailbox: Mailbox, address: str, text: str, *, nth: int = 1) -> str | None:
    found = [body for body in mailbox.bodies(address) if text in body]
    return found[nth - 1] if len(found) >= nth else None


async def _status(service: RunningService, message: Message, status: str) -> bool:
    return [m.status for m in await rows(service, id=message.id)] == [status]


async def _readdressed(service: RunningService, loan: bk.LoanState, address: str) -> bool:
    """The loan's reminders, still waiting, are addressed to `address`."""
    pending = await rows(service, aggregate_id=str(loan.loan_id), status="pending")
    return len(pending) == 2 and {m.address for m in pending} == {address}


async def _applied(service: RunningService, event_id: str) -> None:
    async def seen() -> bool:
        async with service.app.state.runtime.sessions() as session:
            found = await session.scalar(
                text("SELECT count(*) FROM inbox WHERE event_id = :id"), {"id": event_id}
            )
        return bool(found)

    await eventually(seen)
