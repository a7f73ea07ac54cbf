"""A round's allocation, owned here: the weekly times given to sections, what each section
got and why, and the runs of the solver.

`allocated_occupancy` is to `allocated_time` what `booking_occupancy` is to `booking`: its
exclusion constraints make a double allocation impossible, divisible halls included. A weekly
time is a range of minutes of the week (Monday 00:00 = 0), so two times clash when their
ranges overlap on the same space (or on a whole hall and one of its parts).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, text
from sqlalchemy.dialects.postgresql import INT4RANGE, JSONB, ExcludeConstraint, Range
from sqlmodel import Field

from booking.tables import Table


def _timestamp() -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class AllocatedTime(Table, table=True):
    """A weekly time a section is given: `weekday` 0 = Monday, minutes from local midnight.
    `pinned` is None for the solver's proposal, `locked` when staff kept a proposed time
    through re-runs, `forced` when staff placed it by hand."""

    __tablename__ = "allocated_time"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="application_round.id", index=True)
    section_id: uuid.UUID = Field(foreign_key="application_section.id", index=True)
    space_id: uuid.UUID
    site_id: uuid.UUID
    weekday: int
    start_minute: int
    end_minute: int
    pinned: str | None = Field(default=None, max_length=10)
    hall_rank: int  # 1 = the section's first-choice hall
    preferred: bool  # inside one of the section's preferred ranges
    explanation: str
    explanation_nb: str
    series_id: uuid.UUID | None = Field(default=None)  # the series publishing made of it
    created_at: datetime = _timestamp()


class AllocatedOccupancy(Table, table=True):
    """The weekly time an allocated time holds on one space of its conflict set; `own` on the
    allocated space itself (the same rule as `booking_occupancy`)."""

    __tablename__ = "allocated_occupancy"
    __table_args__ = (
        ExcludeConstraint(
            ("round_id", "="),
            ("space_id", "="),
            ("during", "&&"),
            where=text("own"),
            using="gist",
            name="ex_allocated_occupancy_own",
        ),
        ExcludeConstraint(
            ("round_id", "="),
            ("space_id", "="),
            ("during", "&&"),
            ("own", "<>"),
            using="gist",
            name="ex_allocated_occupancy_cross",
        ),
    )

    allocated_time_id: uuid.UUID = Field(
        foreign_key="allocated_time.id", primary_key=True, ondelete="CASCADE"
    )
    space_id: uuid.UUID = Field(primary_key=True)
    round_id: uuid.UUID
    own: bool
    during: Range[int] = Field(sa_column=Column(INT4RANGE, nullable=False))


class SectionOutcome(Table, table=True):
    """What a section got in the latest allocation: granted (every time a week it asked for),
    partly or refused, and the explanation the club reads."""

    __tablename__ = "section_outcome"

    section_id: uuid.UUID = Field(foreign_key="application_section.id", primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="application_round.id", index=True)
    status: str = Field(max_length=20)  # granted | partly | refused
    granted_times: int
    requested_times: int
    explanation: str
    explanation_nb: str


class AllocationRun(Table, table=True):
    """One run of the solver (or the greedy baseline) with its figures."""

    __tablename__ = "allocation_run"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    round_id: uuid.UUID = Field(foreign_key="application_round.id", index=True)
    method: str = Field(max_length=20)  # cp_sat | greedy
    started_by: str = Field(max_length=200)
    started_at: datetime = _timestamp()
    seconds: float
    optimal: bool
    metrics: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
