"""Time a club gave back, the intervals it freed and the offers made of it, owned here."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlmodel import Field

from booking.tables import Table


def _timestamp(*, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(DateTime(timezone=True), nullable=nullable),
    )


class FreedTime(Table, table=True):
    """One date (`kind` date) or the rest of a series (`weekly`) given back. `offered` while
    a club holds it or the next one is due; `taken` once accepted; `released` to everyone
    when no waiting club is left. While `offered`, no one else may book its slots."""

    __tablename__ = "freed_time"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    space_id: uuid.UUID = Field(index=True)
    site_id: uuid.UUID
    kind: str = Field(max_length=10)  # date | weekly
    weekday: int
    start_minute: int
    end_minute: int
    first_date: date
    last_date: date
    booking_id: uuid.UUID | None = None  # the date given back
    series_id: uuid.UUID | None = None  # the series whose rest was given back
    status: str = Field(max_length=20, index=True)  # offered | taken | released
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class FreedSlot(Table, table=True):
    """One booked interval the given-back time freed (a cancelled booking's start and end)."""

    __tablename__ = "freed_slot"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    freed_id: uuid.UUID = Field(foreign_key="freed_time.id", index=True)
    space_id: uuid.UUID = Field(index=True)
    start: datetime = _timestamp()
    end: datetime = _timestamp()


class GivenBackOffer(Table, table=True):
    """Freed time offered to one waiting club: from a round's waiting entry or a direct one.
    `open` while the club holds it (the hold itself is a Redis key that lapses at
    `held_until`); then `accepted` or `expired`."""

    __tablename__ = "given_back_offer"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    freed_id: uuid.UUID = Field(foreign_key="freed_time.id", index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    round_id: uuid.UUID | None = Field(default=None, foreign_key="application_round.id")
    round_entry_id: uuid.UUID | None = Field(default=None, foreign_key="waiting_entry.id")
    direct_entry_id: uuid.UUID | None = Field(
        default=None, foreign_key="direct_waiting_entry.id", index=True
    )
    weekday: int
    start_minute: int
    end_minute: int
    status: str = Field(max_length=20, index=True)  # open | accepted | expired
    held_until: datetime = _timestamp()
    booking_id: uuid.UUID | None = None  # the booking accepting a date made
    series_id: uuid.UUID | None = None  # the series accepting weekly time made
    created_at: datetime = _timestamp()
    answered_at: datetime | None = _timestamp(nullable=True)
