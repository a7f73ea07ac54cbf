"""The delivery job: a worker that delivers due messages, and the email and SMS senders.

Each message is delivered by the `deliver_next` use case in a transaction of its own; the
worker only loops, and waits for the poll interval when nothing was due.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notifications.config import NotificationsSettings
from notifications.messages.use_cases import (
    EmailSender,
    RetryPolicy,
    Senders,
    SmsGateway,
    deliver_next,
)
from notifications.tables import messaging
from samspill.clock import Clock, utc_now
from samspill.db import UnitOfWork

log = structlog.get_logger("notifications.delivery")

MESSAGE_ID_DOMAIN = "samspill.no"
SOURCE = "/samspill/notifications"  # the unit of work's event source; delivery publishes none


class SmtpEmailSender:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    async def send(self, message_id: uuid.UUID, to: str, subject: str, body: str) -> None:
        email = EmailMessage()
        email["From"] = self._settings.smtp_from
        email["To"] = to
        email["Subject"] = subject
        email["Message-ID"] = f"<{message_id}@{MESSAGE_ID_DOMAIN}>"
        email.set_content(body)
        await aiosmtplib.send(
            email,
            hostname=self._settings.smtp_host,
            port=self._settings.smtp_port,
            username=self._settings.smtp_username,
            password=self._settings.smtp_password,
            start_tls=self._settings.smtp_start_tls,
            timeout=self._settings.smtp_timeout_s,
        )


class LoggingSmsGateway:
    """Writes each SMS to the log instead of a provider (development and tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, message_id: uuid.UUID, to: str, body: str) -> None:
        self.sent.append((to, body))
        log.info("sms.sent", message_id=str(message_id), to=to, body=body)


class FileSmsSink:
    """Development only: keeps each SMS as a text file in `directory` and sends nothing.

    Without an SMS provider, this lets a developer read what would have been sent:
    `<UTC time>-<message id>.txt` with the recipient on top. Chosen by `SMS_SINK_DIR`.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message_id: uuid.UUID, to: str, body: str) -> None:
        await asyncio.to_thread(self._write, message_id, to, body)
        log.info(
            "sms.kept_in_sink", message_id=str(message_id), to=to, directory=str(self.directory)
        )

    def _write(self, message_id: uuid.UUID, to: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utc_now():%Y%m%dT%H%M%S.%fZ}-{message_id}"
        partial = self.directory / f".{name}.part"
        partial.write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")
        os.replace(partial, self.directory / f"{name}.txt")


def sms_gateway(settings: NotificationsSettings) -> SmsGateway:
    if settings.sms_sink_dir is not None:
        return FileSmsSink(settings.sms_sink_dir)
    return LoggingSmsGateway()


class DeliveryWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        email: EmailSender,
        sms: SmsGateway,
        *,
        poll_interval_s: float = 1.0,
        max_attempts: int = 6,
        retry_base_s: float = 30.0,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._senders = Senders(email, sms)
        self._poll_interval_s = poll_interval_s
        self._policy = RetryPolicy(max_attempts=max_attempts, retry_base_s=retry_base_s)
        self._clock = clock

    @classmethod
    def from_settings(
        cls, sessions: async_sessionmaker[AsyncSession], settings: NotificationsSettings
    ) -> DeliveryWorker:
        return cls(
            sessions,
            SmtpEmailSender(settings),
            sms_gateway(settings),
            poll_interval_s=settings.delivery_poll_interval_s,
            max_attempts=settings.delivery_max_attempts,
            retry_base_s=settings.delivery_retry_base_s,
        )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await self.deliver_due(stop)
            except Exception as exc:  # the database being away must not end the worker
                log.warning("delivery.pass_failed", error=repr(exc))
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._poll_interval_s)

    async def deliver_due(self, stop: asyncio.Event | None = None) -> int:
        """Deliver every message that is due now; returns how many were attempted."""
        attempted = 0
        while stop is None or not stop.is_set():
            if not await self.deliver_one():
                break
            attempted += 1
        return attempted

    async def deliver_one(self) -> bool:
        async with UnitOfWork(self._sessions, messaging, source=SOURCE) as uow:
            return await deliver_next(uow, self._senders, self._policy, self._clock)
