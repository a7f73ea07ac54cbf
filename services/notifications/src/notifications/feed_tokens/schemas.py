"""Request and response bodies of the feed token API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from notifications.domain.feed_tokens import FeedTokenKind


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
