"""The delivery job, which delivers due messages, and the email and SMS senders.

Each message is delivered by the `deliver_next` use case in a unit of work of its own; the
kernel's job runner repeats the job, at once when it delivered something, else after the poll
interval.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import structlog

from notifications.config import NotificationsSettings
from notifications.messages.use_cases import (
    EmailSender,
    RetryPolicy,
    Senders,
    SmsGateway,
    deliver_next,
)
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob

log = structlog.get_logger("notifications.delivery")

MESSAGE_ID_DOMAIN = "samspill.no"


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


class Delivery:
    """Delivers every message that is due, each by `deliver_next` in a unit of work of its own."""

    def __init__(
        self,
        email: EmailSender,
        sms: SmsGateway,
        *,
        max_attempts: int = 6,
        retry_base_s: float = 30.0,
        clock: Clock = utc_now,
    ) -> None:
        self._senders = Senders(email, sms)
        self._policy = RetryPolicy(max_attempts=max_attempts, retry_base_s=retry_base_s)
        self._clock = clock

    async def deliver_due(self, units: UnitsOfWork) -> int:
        """Deliver every message that is due now; returns how many were attempted."""
        attempted = 0
        while await self.deliver_one(units):
            attempted += 1
        return attempted

    async def deliver_one(self, units: UnitsOfWork) -> bool:
        async with units() as uow:
            return await deliver_next(uow, self._senders, self._policy, self._clock)


def delivery_job(settings: NotificationsSettings) -> PeriodicJob:
    """Due messages (reminders among them), looked for every `DELIVERY_POLL_INTERVAL_S`."""
    delivery = Delivery(
        SmtpEmailSender(settings),
        sms_gateway(settings),
        max_attempts=settings.delivery_max_attempts,
        retry_base_s=settings.delivery_retry_base_s,
    )
    return PeriodicJob(
        "messages.delivery",
        delivery.deliver_due,
        settings.delivery_poll_interval_s,
        again_when_busy=True,
    )
