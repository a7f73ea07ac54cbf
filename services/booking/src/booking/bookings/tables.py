"""Hall bookings, owned here, and `booking_occupancy`: the rows the exclusion constraints
hold, so no double booking is a database guarantee, divisible halls included.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, text
from sqlalchemy.dialects.postgresql import JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlmodel import Field

from booking.tables import Table


def _timestamp(*, index: bool = False) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=index))


def private_contact() -> Any:
    """A resident's contact for their own booking or series (None for an organisation's)."""
    return Field(default=None, sa_column=Column(JSONB, nullable=True))


class Booking(Table, table=True):
    __tablename__ = "booking"
    __table_args__ = (Index("ix_booking_org_space_start", "organisation_id", "space_id", "start"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    series_id: uuid.UUID | None = Field(default=None, foreign_key="booking_series.id", index=True)
    space_id: uuid.UUID = Field(index=True)
    site_id: uuid.UUID = Field(index=True)
    organisation_id: uuid.UUID | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    booker_sub: str = Field(max_length=200, index=True)
    activity: str = Field(max_length=200)
    audience: str = Field(max_length=40)
    participants: int
    start: datetime = _timestamp(index=True)
    end: datetime = _timestamp()
    status: str = Field(max_length=20, index=True)
    price_ore: int
    price_explanation: str
    price_explanation_en: str
    cancellation_reason: str | None = Field(default=None, max_length=40)
    rejection_reason: str | None = Field(default=None, max_length=500)
    contact: dict[str, Any] | None = private_contact()
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class BookingOccupancy(Table, table=True):
    """The time a booking holds on one space of its conflict set (buffer after it included).

    `own` is True on the booked space itself. Two rows of the same space clash when their
    ranges overlap and at least one is `own`: a whole hall clashes with each part, a part with
    the whole, but two parts of one hall never with each other.
    """

    __tablename__ = "booking_occupancy"
    __table_args__ = (
        # Also written by hand in the initial migration; `btree_gist` provides `=`/`<>` here.
        ExcludeConstraint(
            ("space_id", "="),
            ("during", "&&"),
            where=text("active AND own"),
            using="gist",
            name="ex_booking_occupancy_own",
        ),
        ExcludeConstraint(
            ("space_id", "="),
            ("during", "&&"),
            ("own", "<>"),
            where=text("active"),
            using="gist",
            name="ex_booking_occupancy_cross",
        ),
    )

    booking_id: uuid.UUID = Field(foreign_key="booking.id", primary_key=True)
    space_id: uuid.UUID = Field(primary_key=True)
    own: bool
    during: Range[datetime] = Field(sa_column=Column(TSTZRANGE, nullable=False))
    active: bool = True
