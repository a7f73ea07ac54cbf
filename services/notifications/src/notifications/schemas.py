"""Request and response bodies of the notifications API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from notifications.domain.messages import Channel, Language
from notifications.tokens import FeedTokenKind


class FeedTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FeedTokenKind
    organisation_id: uuid.UUID | None = None


class FeedTokenPublic(BaseModel):
    id: uuid.UUID
    kind: FeedTokenKind
    subject_id: str
    created_at: datetime
    revoked_at: datetime | None


class FeedTokenIssued(FeedTokenPublic):
    """Shown once: only a hash of the token is kept."""

    token: str
    url: str


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


class PreferenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    language: Language


class PreferencePublic(PreferenceUpdate):
    recipient: str
    updated_at: datetime
