"""Retention: the purge job deletes finished messages and their delivery log once past
`MESSAGE_RETENTION_DAYS` (the clock injected), keeps everything younger and every pending
message, and a second run deletes nothing more. Without an SMS provider the SMS channel is
refused through the API and nothing is stored; with one (`SMS_PROVIDER`, which booking reads
alike) it is taken."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from notifications.config import NotificationsSettings
from notifications.main import definition, jobs
from notifications.messages.jobs import purge_job
from notifications.messages.tables import DeliveryAttempt, Message
from notifications.preferences.tables import RecipientPreference
from notifications.tables import messaging
from samspill.db import create_engine, session_factory, units_of_work
from samspill.migrations import upgrade
from tests.support import running_service, settings_for

pytestmark = pytest.mark.slow

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
RETENTION = timedelta(days=90)


async def test_purge_removes_only_what_is_past_retention(infra, database_factory):
    url = await database_factory("notif_purge")
    await asyncio.to_thread(upgrade, definition.migrations_dir, url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    day = timedelta(days=1)
    rows = {
        # name: (status, created, sent, next attempt)
        "sent_old": ("sent", NOW - RETENTION - 2 * day, NOW - RETENTION - day, None),
        "failed_old": ("failed", NOW - RETENTION - 5 * day, None, NOW - RETENTION - day),
        "undeliverable_old": ("undeliverable", NOW - RETENTION - day, None, None),
        "sent_recent": ("sent", NOW - RETENTION - 2 * day, NOW - RETENTION + day, None),
        "failed_recent": ("failed", NOW - RETENTION - 9 * day, None, NOW - RETENTION + day),
        "cancelled_recent": ("cancelled", NOW - day, None, None),
        "pending_old": ("pending", NOW - RETENTION - 30 * day, None, NOW - RETENTION - day),
    }
    async with sessions() as session, session.begin():
        for name, (status, created, sent, attempt) in rows.items():
            message = _message(name, status, created, sent, attempt or created)
            session.add(message)
            await session.flush()
            session.add(
                DeliveryAttempt(
                    message_id=message.id, attempted_at=sent or attempt or created, ok=True
                )
            )
    settings = NotificationsSettings(message_retention_days=90)
    job = purge_job(settings, clock=lambda: NOW)
    units = units_of_work(sessions, messaging, source="/samspill/notifications")
    try:
        assert await job.run_once(units) == 3
        assert await _kept(sessions) == {
            "sent_recent",
            "failed_recent",
            "cancelled_recent",
            "pending_old",
        }
        async with sessions() as session:
            attempts = await session.scalar(select(func.count()).select_from(DeliveryAttempt))
        assert attempts == 4, "the delivery log of purged messages went with them"
        assert await job.run_once(units) == 0, "a second run finds nothing more"
        assert len(await _kept(sessions)) == 4
    finally:
        await engine.dispose()


def test_the_purge_job_runs_in_the_services_scheduler():
    class _Runtime:
        settings = NotificationsSettings()

    names = [job.name for job in jobs(_Runtime())]  # type: ignore[arg-type]
    assert names == ["messages.delivery", "messages.purge", "personal_data.resident_history"]


async def test_sms_is_refused_without_a_provider(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "notifications",
        database_url=await database_factory("notif_no_sms"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service("notifications", settings) as service:
        me = service.token("kari")
        sms = {"channel": "sms", "language": "nb"}
        refused = await service.client.put("/preferences/resident/me", json=sms, headers=me)
        assert refused.status_code == 422
        problem = refused.json()
        assert problem["type"].endswith("/sms-not-available")
        assert "SMS-leverandør" in problem["detail_nb"]
        async with service.app.state.runtime.sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(RecipientPreference))
        assert stored == 0
        email = {"channel": "email", "language": "nb"}
        chosen = await service.client.put("/preferences/resident/me", json=email, headers=me)
        assert chosen.status_code == 200


async def test_sms_is_taken_with_a_provider(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "notifications",
        database_url=await database_factory("notif_with_sms"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        sms_provider="sveve",
        sveve_user="kommune",
        sveve_password="hemmelig",
        sveve_url="http://127.0.0.1:9/SMS/SendMessage",  # nothing is sent in this test
    )
    async with running_service("notifications", settings) as service:
        me = service.token("kari")
        sms = {"channel": "sms", "language": "nb"}
        chosen = await service.client.put("/preferences/resident/me", json=sms, headers=me)
        assert chosen.status_code == 200, chosen.text
        assert chosen.json()["channel"] == "sms"


async def _kept(sessions) -> set[str]:
    async with sessions() as session:
        return set((await session.execute(select(Message.dedupe_key))).scalars())


def _message(
    name: str, status: str, created: datetime, sent: datetime | None, attempt: datetime
) -> Message:
    return Message(
        id=uuid.uuid4(),
        dedupe_key=name,
        recipient=f"resident:{name}",
        channel="email",
        address=f"{name}@example.no",
        language="nb",
        kind="booking_confirmed",
        subject="Booking bekreftet",
        body="Hei!\n",
        status=status,
        next_attempt_at=attempt,
        created_at=created,
        sent_at=sent,
    )
