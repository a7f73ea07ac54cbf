"""An organisation's invitation reaches the invitee: booking's `InvitationCreated` on the broker
becomes one email (through the message rows, the delivery worker and a real SMTP server), in
bokmål with English alongside, with the link to accept it. The link's code shows nowhere else:
not in the delivery log and not in the service's logs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, text

from notifications.messages.tables import Message
from samspill.events import booking as bk
from samspill.events.base import Envelope
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    Mailbox,
    invitation,
    publish,
    smtp_server,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

PORTAL = "https://samspill.lillestrom.kommune.no"
INVITEE = "ny.trener@example.no"
LATE = "for.sent@example.no"


async def rows(service: RunningService, kind: str) -> list[Message]:
    async with service.app.state.runtime.sessions() as session:
        result = await session.execute(select(Message).where(Message.kind == kind))
        return list(result.scalars())


async def test_an_invitation_is_emailed_with_its_link(
    infra, isolated_kafka, database_factory, capfd
):
    mailbox = Mailbox(refuse_first=1)
    async with smtp_server(mailbox) as smtp_port:
        settings = settings_for(
            "notifications",
            database_url=await database_factory("notif_invitations"),
            kafka=isolated_kafka,
            redis_url=infra.redis.url,
            smtp_port=smtp_port,
            portal_url=PORTAL + "/",
            delivery_poll_interval_s=0.05,
            delivery_retry_base_s=0.2,
            log_level="INFO",  # what production logs: the code must be in none of it
        )
        async with running_service("notifications", settings) as service:
            club = Club()
            # 14:00 Oslo time in a week: its wall time is what the email shows.
            expiry_day = datetime.now(OSLO).date() + timedelta(days=7)
            expires = datetime.combine(expiry_day, time(14), tzinfo=OSLO)
            event = invitation(club, INVITEE, expires, role="booker")
            late = invitation(club, LATE, datetime.now(UTC) - timedelta(minutes=1))
            envelope = Envelope(data=event, subject=str(club.organisation_id))
            await publish(isolated_kafka, envelope, (late, str(club.organisation_id)))
            [message] = await eventually(lambda: rows(service, "invitation"))
            # Delivered again (the inbox skips it) and published again under a new event id
            # (the message's dedupe key skips it): still one email.
            await publish(isolated_kafka, envelope, (event, str(club.organisation_id)))
            await _inbox_holds(service, 3)

            async def delivered() -> list[Message] | None:
                found = await rows(service, "invitation")
                return found if all(m.status == "sent" for m in found) else None

            [sent] = await eventually(delivered)
            assert sent.id == message.id
            assert sent.attempts == 2, "the 451 was retried through the delivery worker"
            [mail] = mailbox.to(INVITEE)
            _check_mail(mail, event.invitation)
            assert mailbox.to(LATE) == [], "an invitation that expired before it was sent"
            await _check_delivery_log(service, event.invitation)

    logs = capfd.readouterr()
    assert "message.sent" in logs.out, "the service's logs were captured"
    assert event.invitation.code not in logs.out + logs.err


def _check_mail(mail, state: bk.InvitationState) -> None:
    subject = str(mail["Subject"])
    assert (
        subject
        == f"Invitasjon til {state.organisation_name} / Invitation to {state.organisation_name}"
    )
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = f"{PORTAL}/invitasjoner/{state.code}"
    assert body.count(link) == 2, "the link in both languages"
    norwegian, english = body.split("* * *")
    assert (
        f"Kåre Ødegård har invitert deg til å bli med i {state.organisation_name} i Samspill som "
        "booker (kan booke i organisasjonens navn)." in norwegian
    )
    day = state.expires_at.astimezone(OSLO)
    assert f"gjelder til {_nb_day(day)} kl. 14:00 (norsk tid)" in norwegian
    assert "Hilsen Samspill, Lillestrøm kommune" in norwegian
    assert f"to join {state.organisation_name} in Samspill as booker" in english
    assert "valid until" in english
    assert "at 14:00 (Norwegian time)" in english


_NB_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_NB_MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip


def _nb_day(moment: datetime) -> str:
    return f"{_NB_WEEKDAYS[moment.weekday()]} {moment.day}. {_NB_MONTHS[moment.month - 1]}"


async def _check_delivery_log(service: RunningService, state: bk.InvitationState) -> None:
    """The admin sees that the invitation went out, and the link without its code; no member
    or resident sees it at all."""
    admin = service.token("admin-1", admin=True)
    listed = (await service.client.get("/messages", headers=admin)).json()
    [shown] = [m for m in listed if m["kind"] == "invitation"]
    assert shown["recipient"] == f"invitee:{state.invitation_id}"
    assert shown["address"] == INVITEE
    assert f"{PORTAL}/invitasjoner/…" in shown["body"]
    detail = await service.client.get(f"/messages/{shown['id']}", headers=admin)
    assert state.code not in detail.text
    assert state.code not in (await service.client.get("/messages", headers=admin)).text
    someone = service.token("resident-1")
    assert (await service.client.get("/messages", headers=someone)).json() == []


async def _inbox_holds(service: RunningService, count: int) -> None:
    """Wait until the consumer has applied `count` distinct events."""

    async def applied() -> bool:
        async with service.app.state.runtime.sessions() as session:
            return int(await session.scalar(text("SELECT count(*) FROM inbox")) or 0) >= count

    await eventually(applied)
