"""Response bodies of the messages API (the delivery log)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from notifications.domain.messages import Channel, Language


class DeliveryAttemptPublic(BaseModel):
    attempted_at: datetime
    ok: bool
    error: str | None


class MessagePublic(BaseModel):
    id: uuid.UUID
    recipient: str
    channel: Channel
    address: str | None
    language: Language
    kind: str
    subject: str
    body: str
    status: Literal["pending", "sent", "failed", "cancelled", "undeliverable"]
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None


class MessageDetail(MessagePublic):
    delivery_attempts: list[DeliveryAttemptPublic]
