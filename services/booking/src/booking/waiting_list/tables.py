"""The waiting list of a round and the offers made from it, owned here."""

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


class WaitingEntry(Table, table=True):
    """A section that did not get every time it asked for. `position` orders the list (1
    first: the allocation's priority order); `times_wanted` is what it still lacks a week."""

    __tablename__ = "waiting_entry"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="application_round.id", index=True)
    section_id: uuid.UUID = Field(foreign_key="application_section.id", unique=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    position: int
    times_wanted: int
    status: str = Field(max_length=20)  # waiting | offered | placed | removed
    created_at: datetime = _timestamp()


class WaitingOffer(Table, table=True):
    """Freed weekly time offered to the first fitting entry, from `first_date` to the end of
    the season; `open` until the club answers or it expires (then the next entry gets it)."""

    __tablename__ = "waiting_offer"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entry_id: uuid.UUID = Field(foreign_key="waiting_entry.id", index=True)
    round_id: uuid.UUID = Field(foreign_key="application_round.id", index=True)
    space_id: uuid.UUID
    site_id: uuid.UUID
    weekday: int
    start_minute: int
    end_minute: int
    first_date: date
    last_date: date
    status: str = Field(max_length=20, index=True)  # open|accepted|declined|expired|withdrawn
    expires_at: datetime = _timestamp()
    freed_by_series_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None  # the series accepting it made
    created_at: datetime = _timestamp()
    answered_at: datetime | None = _timestamp(nullable=True)


class DirectWaitingEntry(Table, table=True):
    """A club waiting for a weekly time in one hall outside any round; offered freed time
    after the rounds' waiting entries, first joined first."""

    __tablename__ = "direct_waiting_entry"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    space_id: uuid.UUID = Field(index=True)
    weekday: int
    start_minute: int
    end_minute: int
    activity: str = Field(max_length=100)
    age_group: str = Field(max_length=20)
    group_size: int
    status: str = Field(max_length=20)  # waiting | placed | removed
    created_at: datetime = _timestamp()
