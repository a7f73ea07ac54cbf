"""Organisations that book, owned here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.tables import Table


def _created() -> Any:
    return Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


class Organisation(Table, table=True):
    __tablename__ = "organisation"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_number: str = Field(max_length=9, unique=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=40)
    district: str | None = Field(default=None, max_length=100)
    contact: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_by: str = Field(max_length=200)
    created_at: datetime = _created()
