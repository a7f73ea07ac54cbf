"""The recipient preference table: a recipient's channel and language, set through the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field

from notifications.tables import Table


class RecipientPreference(Table, table=True):
    __tablename__ = "recipient_preference"

    recipient: str = Field(primary_key=True, max_length=250)
    channel: str = Field(max_length=10)
    language: str = Field(max_length=5)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
