"""Response bodies of availability: public, no personal data."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class SlotPublic(BaseModel):
    start: datetime
    end: datetime
    local_start: str
    local_end: str


class SpaceAvailability(BaseModel):
    """Free slots of one space; public, no personal data."""

    space_id: uuid.UUID
    space_name: str
    space_kind: str
    capacity: int
    features: list[str]
    site_id: uuid.UUID
    site_name: str
    site_kind: str
    district: str
    who_may_book: str
    approval_required: bool
    slots: list[SlotPublic]
    released: list[SlotPublic] = Field(
        default=[], description="When the space's release windows are open within the period."
    )
    closed: list[SlotPublic] = Field(
        default=[], description="Closures of the space, its parts or its site within the period."
    )
