"""HTTP bodies of `/closures`: the request, and the closure as the API answers with it.

`ClosurePublic` has the fields of the closure's event state (`samspill.events.facilities`) but
is a model of its own, so an additive change of the event contract leaves the API as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from facilities.dependencies import Input
from facilities.domain import ClosureReason
from samspill.inputs import Instant


class ClosureCreate(Input):
    site_id: UUID | None = Field(default=None, description="Close the whole site …")
    space_id: UUID | None = Field(default=None, description="… or one space (and its parts).")
    start: Instant
    end: Instant
    reason: ClosureReason
    note: str | None = Field(default=None, max_length=500)


class ClosurePublic(BaseModel):
    """A closure, as the events show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    closure_id: UUID
    site_id: UUID
    space_id: UUID | None = Field(default=None, description="None closes the whole site.")
    start: datetime
    end: datetime
    reason: Literal["holiday", "exam", "maintenance", "own_event", "emergency"]
    note: str | None = None
