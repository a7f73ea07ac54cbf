"""Tables of the read model: sites, spaces, windows, closures, organisations, bookings, series,
loans, people's profiles and the guide's public activities (`READ_MODEL_TABLES`), and the
kernel's `access_grant` table of memberships and staff grants (`READ_MODEL_TABLE_NAMES` names
them all).

They are written only by the event handler and can be rebuilt by replaying the topics; the
service's own records (feed tokens, preferences, messages) live in their features and survive a
rebuild.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import DateTime, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from notifications.guide.tables import GuideActivity
from notifications.tables import Table
from samspill.access_grants import access_grant_table


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
    # The rest of the space's booking rules, so suggested slots are ones booking accepts.
    max_minutes: int = Field(default=240, sa_column_kwargs={"server_default": text("240")})
    granularity_minutes: int = Field(default=30, sa_column_kwargs={"server_default": text("30")})
    buffer_minutes: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    horizon_days: int = Field(default=180, sa_column_kwargs={"server_default": text("180")})
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
    # The club's team its series is handed to: public, shown beside the organisation's name.
    team_name: str | None = None
    # A resident's own booking: the resident's person id (private), so an erasure finds it.
    resident_id: str | None = Field(default=None, max_length=80, index=True)


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
    # Set when a seasonal round made the series: its applicant is told by the round's result.
    round_id: uuid.UUID | None = None
    team_name: str | None = None
    # How often and when last the team changed: the feed's SEQUENCE and LAST-MODIFIED.
    team_changes: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    team_changed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # A resident's own series: the resident's person id (private), so an erasure finds it.
    resident_id: str | None = Field(default=None, max_length=80, index=True)


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


class ProfileRecord(Table, table=True):
    """A person's own details from booking (`ProfileChanged`): messages to them use these."""

    __tablename__ = "profile"

    person_id: str = Field(primary_key=True, max_length=80)
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str = Field(default="nb", max_length=5)
    channel: str = Field(default="email", max_length=10)
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))


# Organisation memberships (booking) and site and centre grants (facilities): where a caller's
# grants are read from (`samspill.access_grants`).
access_grant = access_grant_table(Table.metadata)

READ_MODEL_TABLES: tuple[type[Table], ...] = (
    SiteRecord,
    SpaceRecord,
    WindowRecord,
    ClosureRecord,
    OrganisationRecord,
    BookingRecord,
    SeriesRecord,
    LoanRecord,
    ProfileRecord,
    GuideActivity,  # the public activity guide's (its own feature)
)
READ_MODEL_TABLE_NAMES: tuple[str, ...] = (
    *(str(table.__tablename__) for table in READ_MODEL_TABLES),
    access_grant.name,
)
