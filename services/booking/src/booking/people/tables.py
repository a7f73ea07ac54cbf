"""A person's profile, owned here: ID-porten gives no name, so a person enters it on first use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field

from booking.tables import Table


class Profile(Table, table=True):
    """Keyed by the person id (`samspill.tokens.person_id`): one profile per person."""

    __tablename__ = "profile"

    person_id: str = Field(primary_key=True, max_length=80)
    display_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(max_length=5)
    channel: str = Field(max_length=10)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
