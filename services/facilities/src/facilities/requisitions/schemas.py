"""HTTP bodies of `/requisitions`."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from facilities.dependencies import Input
from facilities.requisitions.states import requisition_state
from facilities.requisitions.tables import RequisitionRow
from samspill.inputs import Instant


class RequisitionCreate(Input):
    site_id: UUID
    space_ids: list[UUID] = Field(
        default_factory=list, max_length=100, description="Some spaces; empty: the whole site."
    )
    start: Instant
    end: Instant
    reason: str = Field(min_length=1, max_length=500)


class RequisitionPublic(BaseModel):
    """A requisition as the API shows it (the event's state, and whether it was lifted)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requisition_id: UUID
    site_id: UUID
    site_name: str
    space_ids: list[UUID]
    start: datetime
    end: datetime
    reason: str
    lifted: bool

    @classmethod
    def of(cls, row: RequisitionRow, site_name: str) -> Self:
        state = requisition_state(row, site_name)
        return cls(**state.model_dump(), lifted=row.lifted_at is not None)
