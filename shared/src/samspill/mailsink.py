"""A local SMTP sink for `make dev`: every message is kept as a file, nothing is sent on.

`aiosmtpd` accepts the mail; each message is written whole (as received, with a
`Delivered-To` line per envelope recipient on top) to `<directory>/<UTC time>-<id>.eml`, which
any mail program opens. The id is the local part of the message's `Message-ID` (the
notifications service uses the message's id there), so a file can be matched with
`/messages/{id}`. Files appear atomically: a reader never sees half a message.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from samspill.infra import free_port

log = structlog.get_logger("samspill.mailsink")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ReceivedMail:
    path: Path
    recipients: tuple[str, ...]
    subject: str


class MaildropHandler:
    """The aiosmtpd handler: one `.eml` file per accepted message."""

    def __init__(
        self, directory: Path, on_received: Callable[[ReceivedMail], None] | None = None
    ) -> None:
        self.directory = directory
        self._on_received = on_received

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        recipients = tuple(str(r) for r in envelope.rcpt_tos)
        path = self._write(_file_name(parsed), recipients, content)
        mail = ReceivedMail(path, recipients, str(parsed.get("Subject", "")))
        log.info("mail.received", path=str(path), to=list(recipients), subject=mail.subject)
        if self._on_received is not None:
            self._on_received(mail)
        return "250 Message accepted for delivery"

    def _write(self, name: str, recipients: tuple[str, ...], content: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{name}.eml"
        partial = self.directory / f".{name}.part"
        delivered_to = b"".join(f"Delivered-To: {r}\r\n".encode() for r in recipients)
        partial.write_bytes(delivered_to + content)
        os.replace(partial, path)
        return path


def _file_name(message: Message) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    message_id = str(message.get("Message-ID", "")).strip("<> ").split("@", 1)[0]
    ident = _UNSAFE.sub("", message_id)[:64] or uuid.uuid4().hex
    return f"{stamp}-{ident}"


class MailSink:
    """The SMTP sink on 127.0.0.1, served from a thread of its own until `stop()`."""

    def __init__(
        self,
        directory: Path,
        *,
        port: int | None = None,
        on_received: Callable[[ReceivedMail], None] | None = None,
    ) -> None:
        self.directory = directory
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._controller = Controller(
            MaildropHandler(directory, on_received),
            hostname=self.host,
            port=self.port,
            server_hostname="samspill-dev-mail",
        )

    def start(self) -> MailSink:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        log.info("mailsink.started", host=self.host, port=self.port, directory=str(self.directory))
        return self

    def stop(self) -> None:
        self._controller.stop()
