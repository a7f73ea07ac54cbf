"""Messages and their delivery attempts: the service's own records, kept across rebuilds."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, Text, text
from sqlmodel import Field

from notifications.tables import Table


class Message(Table, table=True):
    """One message to one recipient, rendered when created; reminders wait for their time.

    `dedupe_key` is unique: the event (or series, or reminder) it comes from, its kind and the
    recipient, so a redelivered or replayed event never creates a second message.
    """

    __tablename__ = "message"
    __table_args__ = (
        Index(
            "ix_message_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dedupe_key: str = Field(max_length=400, unique=True)
    recipient: str = Field(max_length=250, index=True)
    channel: str = Field(max_length=10)
    address: str | None = Field(default=None, max_length=320)
    language: str = Field(max_length=5)
    kind: str = Field(max_length=50)
    subject: str
    body: str = Field(sa_type=Text)
    aggregate_id: str | None = Field(default=None, max_length=100, index=True)
    status: str = Field(max_length=20)  # pending, sent, failed, cancelled, undeliverable
    next_attempt_at: datetime = Field(sa_type=DateTime(timezone=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    # The trace the message was queued in (the consumer's span): its sending continues it.
    traceparent: str | None = Field(default=None, max_length=60)
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class DeliveryAttempt(Table, table=True):
    __tablename__ = "delivery_attempt"

    id: int | None = Field(
        default=None, sa_type=BigInteger, sa_column_args=[Identity()], primary_key=True
    )
    message_id: uuid.UUID = Field(
        sa_column_args=[ForeignKey("message.id", ondelete="CASCADE")], index=True
    )
    attempted_at: datetime = Field(sa_type=DateTime(timezone=True))
    ok: bool
    error: str | None = Field(default=None, sa_type=Text)
