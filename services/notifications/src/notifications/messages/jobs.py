"""The delivery job, which delivers due messages, and the email and SMS senders; the purge job.

Each message is delivered by the `deliver_next` use case in a unit of work of its own; the
kernel's job runner repeats the job, at once when it delivered something, else after the poll
interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
import uuid
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import structlog
from pydantic import SecretStr

from notifications.config import NotificationsSettings
from notifications.messages.use_cases import (
    EmailSender,
    PermanentFailure,
    RetryPolicy,
    Senders,
    SmsGateway,
    deliver_next,
    purge_messages,
)
from samspill.clock import Clock, utc_now
from samspill.db import UnitsOfWork
from samspill.jobs import PeriodicJob

log = structlog.get_logger("notifications.delivery")

MESSAGE_ID_DOMAIN = "samspill.no"
# An SMTP connection idle this long is closed and opened anew for the next message.
SMTP_IDLE_S = 20.0


class SmtpEmailSender:
    """Sends mail over one SMTP connection kept open from message to message: a connection,
    its STARTTLS handshake and its login per message cost more than the message. The
    connection is opened again when the server closed it, after an error, or once it has been
    idle for `SMTP_IDLE_S` (shorter than relays' own idle timeouts)."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None
        self._idle_since = 0.0
        self._lock = asyncio.Lock()

    async def send(self, message_id: uuid.UUID, to: str, subject: str, body: str) -> None:
        email = EmailMessage()
        email["From"] = self._settings.smtp_from
        email["To"] = to
        email["Subject"] = subject
        email["Message-ID"] = f"<{message_id}@{MESSAGE_ID_DOMAIN}>"
        email.set_content(body)
        async with self._lock:
            client = await self._connected()
            try:
                await client.send_message(email)
            except BaseException:
                self._drop()  # its state after a failed transaction is unknown
                raise
            self._idle_since = time.monotonic()

    async def close(self) -> None:
        async with self._lock:
            if self._client is not None and self._client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    await self._client.quit()
            self._drop()

    async def _connected(self) -> aiosmtplib.SMTP:
        client = self._client
        idle = time.monotonic() - self._idle_since
        if client is not None and (not client.is_connected or idle > SMTP_IDLE_S):
            self._drop()
        if self._client is None:
            settings = self._settings
            client = aiosmtplib.SMTP(
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password,
                start_tls=settings.smtp_start_tls,
                timeout=settings.smtp_timeout_s,
            )
            await client.connect()
            self._client = client
        return self._client

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None


class DevelopmentSmsFileSink:
    """Development only: keeps each SMS as a text file in `directory` and sends nothing.

    `make dev` points `SMS_SINK_DIR` here so a developer can read what would have been sent:
    `<UTC time>-<message id>.txt` with the recipient on top. Production refuses the setting.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message_id: uuid.UUID, to: str, body: str) -> None:
        await asyncio.to_thread(self._write, message_id, to, body)
        log.info("sms.kept_in_sink", message_id=str(message_id), directory=str(self.directory))

    def _write(self, message_id: uuid.UUID, to: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utc_now():%Y%m%dT%H%M%S.%fZ}-{message_id}"
        partial = self.directory / f".{name}.part"
        partial.write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")
        os.replace(partial, self.directory / f"{name}.txt")


class SmsProviderUnavailable(Exception):
    """The provider could not take the SMS now (a 5xx, a timeout, an unreadable answer): the
    message is tried again by the delivery backoff."""


# A run of digits long enough to be a phone number, as a provider may quote it back.
_PHONE_LIKE = re.compile(r"\+?\d[\d\s-]{4,}\d")


def _without_numbers(text: str) -> str:
    return _PHONE_LIKE.sub("[number]", text)[:300]


class SveveSmsGateway:
    """Sends each SMS through Sveve's HTTP API (see docs/operations.md for the reference).

    One POST of a JSON body to `SendMessage` with `f=json`; the answer is
    `{"response": {"msgOkCount": n, "stdSMSCount": n, "ids": [...], "errors": [{"number",
    "message"}], "fatalError": "..."}}`. Sveve reports a refused number in `errors` (or an
    HTTP 4xx): that is permanent. A 5xx, a timeout, a `fatalError` (wrong password, no credit:
    an operator can fix it) or an unreadable answer is retried. Errors never carry the number
    or the text.
    """

    def __init__(
        self,
        *,
        url: str,
        user: str,
        password: SecretStr,
        sender: str,
        timeout_s: float,
    ) -> None:
        self._url = url
        self._user = user
        self._password = password
        self._sender = sender
        self._timeout_s = timeout_s

    async def send(self, message_id: uuid.UUID, to: str, body: str) -> None:
        payload = {
            "user": self._user,
            "passwd": self._password.get_secret_value(),
            "to": to,
            "msg": body,
            "from": self._sender,
            "ref": str(message_id),
            "f": "json",
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.post(self._url, json=payload)
        except httpx.TimeoutException as exc:
            raise SmsProviderUnavailable(
                f"Sveve did not answer in time ({type(exc).__name__})"
            ) from None
        except httpx.HTTPError as exc:
            raise SmsProviderUnavailable(
                f"Sveve could not be reached ({type(exc).__name__})"
            ) from None
        _check(response)


def _check(response: httpx.Response) -> None:
    status = response.status_code
    if status >= 500:
        raise SmsProviderUnavailable(f"Sveve answered HTTP {status}")
    if status >= 400:
        raise PermanentFailure(f"Sveve refused the SMS: HTTP {status}")
    try:
        answer = response.json()["response"]
    except (ValueError, KeyError, TypeError):
        raise SmsProviderUnavailable(f"Sveve gave an unreadable answer (HTTP {status})") from None
    errors = answer.get("errors") or []
    if errors:
        reasons = "; ".join(_without_numbers(str(e.get("message", ""))) for e in errors)
        raise PermanentFailure(f"Sveve refused the SMS: {reasons}")
    if answer.get("fatalError"):
        raise SmsProviderUnavailable(f"Sveve: {_without_numbers(str(answer['fatalError']))}")
    if not answer.get("msgOkCount"):
        raise SmsProviderUnavailable("Sveve accepted no message")


def sms_gateway(settings: NotificationsSettings) -> SmsGateway | None:
    """The configured provider, else the development sink, else none (SMS are refused)."""
    if settings.sms_provider == "sveve" and settings.sveve_user and settings.sveve_password:
        return SveveSmsGateway(
            url=settings.sveve_url,
            user=settings.sveve_user,
            password=settings.sveve_password,
            sender=settings.sms_sender,
            timeout_s=settings.sms_timeout_s,
        )
    if settings.sms_sink_dir is not None:
        return DevelopmentSmsFileSink(settings.sms_sink_dir)
    return None


class Delivery:
    """Delivers every message that is due, each by `deliver_next` in a unit of work of its own."""

    def __init__(
        self,
        email: EmailSender,
        sms: SmsGateway | None,
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


def purge_job(settings: NotificationsSettings, clock: Clock = utc_now) -> PeriodicJob:
    """Finished messages and their delivery log, deleted `MESSAGE_RETENTION_DAYS` after their
    last activity; checked every `MESSAGE_PURGE_INTERVAL_S`."""
    retention = timedelta(days=settings.message_retention_days)

    async def run_once(units: UnitsOfWork) -> int:
        purged = 0
        while True:
            async with units() as uow:
                batch = await purge_messages(uow, before=clock() - retention)
            purged += batch
            if batch == 0:
                return purged

    return PeriodicJob("messages.purge", run_once, settings.message_purge_interval_s)
