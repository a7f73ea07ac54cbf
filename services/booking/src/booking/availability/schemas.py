"""Response bodies of availability: public, no personal data."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


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
