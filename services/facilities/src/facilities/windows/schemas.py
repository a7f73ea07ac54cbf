"""HTTP bodies of `/spaces/{id}/windows`: requests, and the window as the API answers with it.

`WindowPublic` has the fields of the window's event state (`samspill.events.facilities`) but is
a model of its own, so an additive change of the event contract leaves the API as it is.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from facilities.dependencies import Input
from samspill.inputs import Day

OSLO_ZONE = "Europe/Oslo"


class WindowCreate(Input):
    """A weekly window (`weekdays`, `valid_from`, `valid_to`) or a one-off window (`day`)."""

    kind: Literal["weekly", "one_off"] = "weekly"
    weekdays: list[int | Annotated[str, StringConstraints(max_length=20)]] = Field(
        default=[], max_length=7, description="0 = Monday … 6 = Sunday, or names (mandag, mon)."
    )
    start_time: time = Field(description="Local wall-clock time, e.g. 17:00.")
    end_time: time = Field(description="Local wall-clock time; 00:00 means midnight.")
    valid_from: Day | None = None
    valid_to: Day | None = None
    day: Day | None = Field(default=None, description="The date of a one-off window.")
    time_zone: str = Field(default=OSLO_ZONE, max_length=60)


class WindowDates(Input):
    dates: list[Day] = Field(min_length=1, max_length=400)


class WindowPublic(BaseModel):
    """A release window in local wall-clock time, as the events show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_id: UUID
    space_id: UUID
    site_id: UUID
    kind: Literal["weekly", "one_off"]
    weekdays: list[int] = Field(default=[], description="0 = Monday … 6 = Sunday (weekly only).")
    start_time: time = Field(description="Local wall-clock time in time_zone.")
    end_time: time
    valid_from: date = Field(description="First date; the date itself for a one-off window.")
    valid_to: date
    withdrawn_dates: list[date] = []
    withdrawn: bool = False
    time_zone: str = "Europe/Oslo"


class WindowOccurrence(BaseModel):
    start: datetime
    end: datetime
