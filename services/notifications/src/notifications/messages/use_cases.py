"""Message use cases: deliver the next due message and record how it went; purge old ones.

The message is claimed with `FOR UPDATE SKIP LOCKED` (so several workers never take the same
row), sent, its attempt recorded and the row marked sent, or given a retry with exponential
backoff until the last attempt, all in that row's transaction, committed once. Sending and
marking cannot be one atomic step: a crash after the SMTP server accepted the message and
before the commit sends it again on restart. That is the only window for a duplicate, and the
stable `Message-ID` header lets mail systems drop such a second copy.

A sender raises `PermanentFailure` when trying again cannot help (the provider refused the
phone number): the message fails at once. Any other error is retried with backoff.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import delete, func, select, update
from sqlmodel import col

from notifications.domain.messages import FORGOTTEN_WHEN_DONE, Channel
from notifications.messages.tables import DeliveryAttempt, Message
from samspill.clock import Clock
from samspill.db import UnitOfWork
from samspill.tracing import continued_span

log = structlog.get_logger("notifications.delivery")

MAX_BACKOFF = timedelta(hours=6)


class EmailSender(Protocol):
    async def send(self, message_id: uuid.UUID, to: str, subject: str, body: str) -> None: ...


class SmsGateway(Protocol):
    """Where SMS go: a provider, or in development a file sink."""

    async def send(self, message_id: uuid.UUID, to: str, body: str) -> None: ...


class PermanentFailure(Exception):
    """The message can never be delivered as it is (a refused number): no retry.

    Its text is logged and kept as the message's last error, so it names no phone number and
    quotes no message body.
    """


NO_SMS_PROVIDER = "no SMS provider is configured"


@dataclass(frozen=True, slots=True)
class Senders:
    email: EmailSender
    sms: SmsGateway | None  # None: no SMS provider, an SMS message fails


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    retry_base_s: float = 30.0


async def deliver_next(
    uow: UnitOfWork, senders: Senders, policy: RetryPolicy, clock: Clock
) -> bool:
    """Deliver the message due first, if any; False when none is due. The attempt is stamped
    with the clock's time after sending."""
    message = (
        await uow.session.execute(
            select(Message)
            .where(col(Message.status) == "pending", col(Message.next_attempt_at) <= clock())
            .order_by(col(Message.next_attempt_at), col(Message.id))
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).scalar_one_or_none()
    if message is None:
        return False
    attributes = {
        "samspill.message.kind": message.kind,
        "samspill.message.channel": message.channel,
        "samspill.message.attempt": message.attempts + 1,
    }
    with continued_span(
        f"send {message.channel}", message.traceparent, kind=SpanKind.CLIENT, attributes=attributes
    ) as span:
        error, permanent = await _send(senders, message)
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, "permanent" if permanent else "retried"))
    _record(uow, message, error, policy, now=clock(), permanent=permanent)
    if message.status != "pending" and message.kind in FORGOTTEN_WHEN_DONE:
        await _forget(uow, message)
    await uow.commit()
    return True


async def _forget(uow: UnitOfWork, message: Message) -> None:
    """A message kept only until it is sent or given up (an erased person's confirmation):
    its address, text and error texts go now; the row stays as the record that it went."""
    message.address, message.body, message.last_error = None, "", None
    await uow.session.flush()
    await uow.session.execute(
        update(DeliveryAttempt)
        .where(col(DeliveryAttempt.message_id) == message.id)
        .values(error=None)
    )


async def _send(senders: Senders, message: Message) -> tuple[str | None, bool]:
    """The error of the attempt (None when sent) and whether it is permanent."""
    try:
        if message.address is None:
            return "no address", False
        if message.channel == Channel.SMS:
            if senders.sms is None:
                return NO_SMS_PROVIDER, True
            await senders.sms.send(message.id, message.address, message.body)
        else:
            await senders.email.send(message.id, message.address, message.subject, message.body)
    except PermanentFailure as exc:
        return f"permanent: {exc}"[:2000], True
    except Exception as exc:
        return repr(exc)[:2000], False
    return None, False


def _record(
    uow: UnitOfWork,
    message: Message,
    error: str | None,
    policy: RetryPolicy,
    *,
    now: datetime,
    permanent: bool = False,
) -> None:
    uow.session.add(
        DeliveryAttempt(message_id=message.id, attempted_at=now, ok=error is None, error=error)
    )
    message.attempts += 1
    message.last_error = error
    if error is None:
        message.status, message.sent_at = "sent", now
        log.info("message.sent", message_id=str(message.id), kind=message.kind)
    elif permanent or message.attempts >= policy.max_attempts:
        message.status = "failed"
        log.error("message.failed", message_id=str(message.id), error=error)
    else:
        delay = timedelta(seconds=policy.retry_base_s * 2 ** (message.attempts - 1))
        message.next_attempt_at = now + min(delay, MAX_BACKOFF)
        log.warning("message.retry", message_id=str(message.id), error=error)


PURGE_BATCH = 1000


async def purge_messages(uow: UnitOfWork, *, before: datetime) -> int:
    """Delete up to `PURGE_BATCH` finished messages whose last activity is before `before`,
    with their delivery attempts (the foreign key cascades); returns how many went.

    A pending message stays whatever its age. Running it again deletes nothing more, so the
    job is idempotent; it repeats the batch while there is more to delete.
    """
    last_activity = func.greatest(
        col(Message.created_at),
        col(Message.next_attempt_at),
        func.coalesce(col(Message.sent_at), col(Message.created_at)),
    )
    batch = (
        select(col(Message.id))
        .where(col(Message.status) != "pending", last_activity < before)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    result = await uow.session.execute(
        delete(Message).where(col(Message.id).in_(batch.scalar_subquery()))
    )
    await uow.commit()
    purged = int(getattr(result, "rowcount", 0) or 0)
    if purged:
        log.info("messages.purged", count=purged)
    return purged
