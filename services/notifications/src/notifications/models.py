"""Tables of the notifications service, in a registry of their own.

Two kinds of table live here. The read model (`READ_MODEL_TABLES`: sites, spaces, windows,
closures, organisations, bookings, series, loans) is written only by the event handler and can
be rebuilt by replaying the topics. Feed tokens, preferences, messages and delivery attempts are
the service's own records and survive a rebuild.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from samspill.db import service_registry
from samspill.messaging import messaging_tables


class Table(SQLModel, registry=service_registry()):
    """Base of every notifications table."""


messaging = messaging_tables(Table.metadata)


# --- read model (from events only) ---------------------------------------------------------


class SiteRecord(Table, table=True):
    __tablename__ = "site"

    site_id: uuid.UUID = Field(primary_key=True)
    name: str
    kind: str
    address: str
    contact_name: str
    contact_email: str | None = None
    contact_phone: str | None = None
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))


class SpaceRecord(Table, table=True):
    __tablename__ = "space"

    space_id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = Field(index=True)
    name: str
    kind: str
    conflicts_with: list[str] = Field(default_factory=list, sa_type=JSONB)
    min_minutes: int = 30
    retired: bool = False
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))


class WindowRecord(Table, table=True):
    __tablename__ = "release_window"

    window_id: uuid.UUID = Field(primary_key=True)
    space_id: uuid.UUID = Field(index=True)
    site_id: uuid.UUID = Field(index=True)
    kind: str
    weekdays: list[int] = Field(default_factory=list, sa_type=JSONB)
    start_time: time
    end_time: time
    valid_from: date
    valid_to: date
    withdrawn_dates: list[str] = Field(default_factory=list, sa_type=JSONB)
    withdrawn: bool = False


class ClosureRecord(Table, table=True):
    __tablename__ = "closure"

    closure_id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = Field(index=True)
    space_id: uuid.UUID | None = None
    start: datetime = Field(sa_type=DateTime(timezone=True))
    end: datetime = Field(sa_type=DateTime(timezone=True))
    reason: str
    note: str | None = None


class OrganisationRecord(Table, table=True):
    __tablename__ = "organisation"

    organisation_id: uuid.UUID = Field(primary_key=True)
    name: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    language: str = "nb"
    channel: str = "email"
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))


class BookingRecord(Table, table=True):
    __tablename__ = "booking"

    booking_id: uuid.UUID = Field(primary_key=True)
    series_id: uuid.UUID | None = Field(default=None, index=True)
    space_id: uuid.UUID = Field(index=True)
    site_id: uuid.UUID = Field(index=True)
    organisation_id: uuid.UUID = Field(index=True)
    space_name: str
    site_name: str
    organisation_name: str
    activity: str
    participants: int
    price_explanation: str
    start: datetime = Field(sa_type=DateTime(timezone=True))
    end: datetime = Field(sa_type=DateTime(timezone=True))
    status: str
    version: int
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    by_resident: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})


class SeriesRecord(Table, table=True):
    __tablename__ = "booking_series"

    series_id: uuid.UUID = Field(primary_key=True)
    space_id: uuid.UUID = Field(index=True)
    site_id: uuid.UUID = Field(index=True)
    organisation_id: uuid.UUID = Field(index=True)
    space_name: str
    site_name: str
    organisation_name: str
    activity: str
    local_start_time: time
    local_end_time: time
    first_date: date
    last_date: date
    booking_count: int
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class LoanRecord(Table, table=True):
    __tablename__ = "loan"

    loan_id: uuid.UUID = Field(primary_key=True)
    resident_id: str = Field(index=True)
    centre_id: uuid.UUID
    centre_name: str
    pickup_date: date
    return_date: date
    status: str
    items: list[str] = Field(default_factory=list, sa_type=JSONB)
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    language: str = "nb"
    channel: str = "email"
    version: int
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


READ_MODEL_TABLES: tuple[type[Table], ...] = (
    SiteRecord,
    SpaceRecord,
    WindowRecord,
    ClosureRecord,
    OrganisationRecord,
    BookingRecord,
    SeriesRecord,
    LoanRecord,
)


# --- the service's own records --------------------------------------------------------------


class FeedToken(Table, table=True):
    """A private feed's secret: only its SHA-256 is stored."""

    __tablename__ = "feed_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=20)  # "organisation" or "loans"
    subject_id: str = Field(max_length=200)  # the organisation id or the resident's subject
    owner_sub: str = Field(max_length=200, index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RecipientPreference(Table, table=True):
    __tablename__ = "recipient_preference"

    recipient: str = Field(primary_key=True, max_length=250)
    channel: str = Field(max_length=10)
    language: str = Field(max_length=5)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class Message(Table, table=True):
    """One message to one recipient, rendered when created; reminders wait for their time.

    `dedupe_key` is unique: the event (or series, or reminder) it comes from, its kind and the
    recipient, so a redelivered or replayed event never creates a second message.
    """

    __tablename__ = "message"
    __table_args__ = (
        Index(
            "ix_message_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dedupe_key: str = Field(max_length=400, unique=True)
    recipient: str = Field(max_length=250, index=True)
    channel: str = Field(max_length=10)
    address: str | None = Field(default=None, max_length=320)
    language: str = Field(max_length=5)
    kind: str = Field(max_length=50)
    subject: str
    body: str = Field(sa_type=Text)
    aggregate_id: str | None = Field(default=None, max_length=100, index=True)
    status: str = Field(max_length=20)  # pending, sent, failed, cancelled, undeliverable
    next_attempt_at: datetime = Field(sa_type=DateTime(timezone=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class DeliveryAttempt(Table, table=True):
    __tablename__ = "delivery_attempt"

    id: int | None = Field(
        default=None, sa_type=BigInteger, sa_column_args=[Identity()], primary_key=True
    )
    message_id: uuid.UUID = Field(
        sa_column_args=[ForeignKey("message.id", ondelete="CASCADE")], index=True
    )
    attempted_at: datetime = Field(sa_type=DateTime(timezone=True))
    ok: bool
    error: str | None = Field(default=None, sa_type=Text)
