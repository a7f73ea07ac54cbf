"""Application rounds and the spaces each covers, owned here."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.tables import Table


def _timestamp() -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ApplicationRound(Table, table=True):
    """A season's application round. Dates are Oslo calendar days, all inclusive:
    applications are taken from `applications_open` to `applications_close`, staff allocate
    until `allocation_until`, results are due on `results_date`, and the result covers the
    season from `season_first_date` to `season_last_date`."""

    __tablename__ = "application_round"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    applications_open: date
    applications_close: date
    allocation_until: date
    results_date: date
    season_first_date: date
    season_last_date: date
    # The weekly evening time the round hands out: these weekdays (0 = Monday), from
    # `evening_start` to `evening_end` (Oslo wall clock, "HH:MM").
    weekdays: list[int] = Field(sa_column=Column(JSONB, nullable=False))
    evening_start: str = Field(max_length=5)
    evening_end: str = Field(max_length=5)
    state: str = Field(max_length=20, index=True)
    # The municipality's weights for the allocation (see booking.domain.allocation.Priorities).
    priorities: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_by: str = Field(max_length=200)
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class RoundSpace(Table, table=True):
    """A space whose season evenings the round hands out."""

    __tablename__ = "application_round_space"

    round_id: uuid.UUID = Field(foreign_key="application_round.id", primary_key=True)
    space_id: uuid.UUID = Field(primary_key=True, index=True)
