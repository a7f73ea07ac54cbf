"""The feed token table: only a hash of each token is stored."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, text
from sqlmodel import Field

from notifications.tables import Table


class FeedToken(Table, table=True):
    """A private feed's secret: only its SHA-256 is stored."""

    __tablename__ = "feed_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=20)  # "organisation" or "loans"
    subject_id: str = Field(max_length=200)  # the organisation id or the resident's subject
    owner_sub: str = Field(max_length=200, index=True)  # the owner's person id
    # An organisation token a municipal admin took without being a member: it does not
    # depend on a membership (the admin group lives in the identity provider, not here).
    admin_issued: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
