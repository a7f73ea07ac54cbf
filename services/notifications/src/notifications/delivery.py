"""Delivery: the worker that sends queued messages, the email and SMS senders, the log.

The worker claims one due message at a time (`FOR UPDATE SKIP LOCKED`, so several workers
never take the same row), sends it, records the attempt and marks the row sent, or schedules a
retry with exponential backoff until `max_attempts`, all in that row's transaction. Sending
and marking cannot be one atomic step: a crash after the SMTP server accepted the message and
before the commit sends it again on restart. That is the only window for a duplicate, and the
stable `Message-ID` header lets mail systems drop such a second copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from notifications.config import NotificationsSettings
from notifications.domain.messages import Channel
from notifications.models import DeliveryAttempt, Message
from notifications.preferences import recipients_of
from samspill.auth import Principal
from samspill.rules import NotFoundError

log = structlog.get_logger("notifications.delivery")

MAX_BACKOFF = timedelta(hours=6)
MESSAGE_ID_DOMAIN = "samspill.no"


class EmailSender(Protocol):
    async def send(self, message_id: uuid.UUID, to: str, subject: str, body: str) -> None: ...


class SmsGateway(Protocol):
    """Where SMS go; production plugs in a provider behind this interface."""

    async def send(self, message_id: uuid.UUID, to: str, body: str) -> None: ...


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
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{message_id}"
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
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._email = email
        self._sms = sms
        self._poll_interval_s = poll_interval_s
        self._max_attempts = max_attempts
        self._retry_base_s = retry_base_s
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
        async with self._sessions() as session, session.begin():
            message = (
                await session.execute(
                    select(Message)
                    .where(
                        col(Message.status) == "pending",
                        col(Message.next_attempt_at) <= self._clock(),
                    )
                    .order_by(col(Message.next_attempt_at), col(Message.id))
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
            ).scalar_one_or_none()
            if message is None:
                return False
            error = await self._send(message)
            self._record(session, message, error)
        return True

    async def _send(self, message: Message) -> str | None:
        try:
            if message.address is None:
                return "no address"
            if message.channel == Channel.SMS:
                await self._sms.send(message.id, message.address, message.body)
            else:
                await self._email.send(message.id, message.address, message.subject, message.body)
        except Exception as exc:
            return repr(exc)[:2000]
        return None

    def _record(self, session: AsyncSession, message: Message, error: str | None) -> None:
        now = self._clock()
        session.add(
            DeliveryAttempt(message_id=message.id, attempted_at=now, ok=error is None, error=error)
        )
        message.attempts += 1
        message.last_error = error
        if error is None:
            message.status, message.sent_at = "sent", now
            log.info("message.sent", message_id=str(message.id), kind=message.kind)
        elif message.attempts >= self._max_attempts:
            message.status = "failed"
            log.error("message.failed", message_id=str(message.id), error=error)
        else:
            delay = timedelta(seconds=self._retry_base_s * 2 ** (message.attempts - 1))
            message.next_attempt_at = now + min(delay, MAX_BACKOFF)
            log.warning("message.retry", message_id=str(message.id), error=error)


# --- the delivery log -----------------------------------------------------------------------


async def messages_for(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    limit: int,
    offset: int,
) -> list[Message]:
    """Newest first: every message for an admin, a recipient's own otherwise."""
    statement = select(Message).order_by(col(Message.created_at).desc(), col(Message.id))
    if not principal.is_admin:
        statement = statement.where(col(Message.recipient).in_(recipients_of(principal)))
    if status is not None:
        statement = statement.where(col(Message.status) == status)
    result = await session.execute(statement.limit(limit).offset(offset))
    return list(result.scalars())


async def message_with_attempts(
    session: AsyncSession, principal: Principal, message_id: uuid.UUID
) -> tuple[Message, list[DeliveryAttempt]]:
    message = await session.get(Message, message_id)
    if message is None or not (principal.is_admin or message.recipient in recipients_of(principal)):
        raise NotFoundError("No such message.", "Fant ikke meldingen.")
    attempts = await session.execute(
        select(DeliveryAttempt)
        .where(col(DeliveryAttempt.message_id) == message_id)
        .order_by(col(DeliveryAttempt.attempted_at), col(DeliveryAttempt.id))
    )
    return message, list(attempts.scalars())
