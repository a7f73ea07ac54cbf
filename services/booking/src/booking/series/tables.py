"""Weekly series of hall bookings, owned here; each occurrence is a `booking` row."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.bookings.tables import private_contact
from booking.tables import Table


def _created() -> Any:
    return Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


class BookingSeries(Table, table=True):
    __tablename__ = "booking_series"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    space_id: uuid.UUID = Field(index=True)
    site_id: uuid.UUID = Field(index=True)
    organisation_id: uuid.UUID | None = Field(default=None, index=True)
    booker_sub: str = Field(max_length=200)
    activity: str = Field(max_length=200)
    audience: str = Field(max_length=40)
    participants: int
    weekday: int
    local_start_time: str = Field(max_length=5)
    local_end_time: str = Field(max_length=5)
    first_date: date
    last_date: date
    skipped: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    contact: dict[str, Any] | None = private_contact()
    # Set when a seasonal round's publishing (or a waiting-list offer) made the series.
    round_id: uuid.UUID | None = Field(default=None, foreign_key="application_round.id")
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id", index=True)
    created_at: datetime = _created()
