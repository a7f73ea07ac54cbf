"""SMS through the Sveve adapter, over real HTTP to a local server speaking Sveve's API:
accepted, a refused number failed at once, a 5xx and a timeout retried by the delivery
backoff and then sent; the requests carry what Sveve expects; nothing logged names a phone
number or quotes a message body."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from notifications.config import NotificationsSettings
from notifications.main import definition
from notifications.messages.jobs import Delivery, SveveSmsGateway, sms_gateway
from notifications.messages.tables import DeliveryAttempt, Message
from notifications.tables import messaging
from samspill.db import create_engine, session_factory, units_of_work
from samspill.migrations import upgrade
from samspill.observability import configure_logging
from tests.integration.notifications.sveve import sveve_server

pytestmark = pytest.mark.slow

START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
NUMBERS = {
    "ok": "+4791000001",
    "bad_number": "+4791000002",
    "http_400": "+4791000003",
    "http_503": "+4791000004",
    "slow": "+4791000005",
    "fatal": "+4791000006",
}
BODY = "Samspill: Hemmelig melding om bookingen din i morgen."


class _NoEmail:
    async def send(self, *args: object) -> None:
        raise AssertionError("no email in this test")


async def test_sms_through_sveve(infra, database_factory, capsys):
    url = await database_factory("notif_sveve")
    await asyncio.to_thread(upgrade, definition.migrations_dir, url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        for label, number in NUMBERS.items():
            session.add(_sms(label, number))
    configure_logging("notifications", "DEBUG", json=True)
    capsys.readouterr()
    clock = [START]
    try:
        async with sveve_server() as (fake, endpoint):
            fake.plans = {
                NUMBERS["bad_number"]: ["bad_number"],
                NUMBERS["http_400"]: ["http_400"],
                NUMBERS["http_503"]: ["http_503", "ok"],
                NUMBERS["slow"]: ["slow", "ok"],
                NUMBERS["fatal"]: ["fatal", "ok"],
            }
            settings = NotificationsSettings(
                sms_provider="sveve",
                sveve_url=endpoint,
                sveve_user="kommune",
                sveve_password="api-passord",
                sms_timeout_s=0.5,
            )
            gateway = sms_gateway(settings)
            assert isinstance(gateway, SveveSmsGateway)
            delivery = Delivery(_NoEmail(), gateway, retry_base_s=30, clock=lambda: clock[0])
            units = units_of_work(sessions, messaging, source="/samspill/notifications")

            assert await delivery.deliver_due(units) == 6
            after_first = await _statuses(sessions)
            assert after_first == {
                "ok": ("sent", 1),
                "bad_number": ("failed", 1),
                "http_400": ("failed", 1),
                "http_503": ("pending", 1),
                "slow": ("pending", 1),
                "fatal": ("pending", 1),
            }
            assert await delivery.deliver_due(units) == 0, "retries wait for their backoff"
            clock[0] = START + timedelta(seconds=31)
            assert await delivery.deliver_due(units) == 3
        assert await _statuses(sessions) == {
            **after_first,
            "http_503": ("sent", 2),
            "slow": ("sent", 2),
            "fatal": ("sent", 2),
        }
        first = fake.requests[0]
        assert first | {"to": "", "ref": ""} == {
            "user": "kommune",
            "passwd": "api-passord",
            "to": "",
            "msg": BODY,
            "from": "Samspill",
            "ref": "",
            "f": "json",
        }
        assert {r["to"] for r in fake.requests} == set(NUMBERS.values())
        errors = await _errors(sessions)
        assert "refused" in errors["bad_number"]
        assert "[number]" in errors["bad_number"]
        assert "HTTP 400" in errors["http_400"]
        for error in errors.values():
            assert "+4791" not in error
            assert "91000" not in error
        logged = capsys.readouterr().out
        assert "message.retry" in logged
        assert "message.failed" in logged
        assert "HTTP Request: POST" in logged, "library records (httpx) are captured too"
        _assert_no_number_or_body(logged)
    finally:
        await engine.dispose()


def _assert_no_number_or_body(logged: str) -> None:
    lines = [line for line in logged.splitlines() if line.strip()]
    assert lines, "the delivery logged something"
    for line in lines:
        assert "91000" not in line, line
        assert "Hemmelig" not in line, line
        assert "api-passord" not in line, line


def _sms(label: str, number: str) -> Message:
    return Message(
        dedupe_key=f"test:{label}",
        recipient=f"resident:{label}",
        channel="sms",
        address=number,
        language="nb",
        kind="reminder_booking_tomorrow",
        subject="Påminnelse",
        body=BODY,
        status="pending",
        next_attempt_at=START - timedelta(seconds=1),
        created_at=START - timedelta(minutes=1),
    )


async def _statuses(sessions) -> dict[str, tuple[str, int]]:
    async with sessions() as session:
        rows = (await session.execute(select(Message))).scalars()
        return {m.recipient.removeprefix("resident:"): (m.status, m.attempts) for m in rows}


async def _errors(sessions) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.execute(
            select(Message.recipient, DeliveryAttempt.error)
            .join(DeliveryAttempt, DeliveryAttempt.message_id == Message.id)
            .where(DeliveryAttempt.ok.is_(False))
        )
        return {recipient.removeprefix("resident:"): error for recipient, error in rows.all()}
