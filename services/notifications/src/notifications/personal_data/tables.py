"""The erased people, by marker only: so a late or replayed event does not bring them back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field

from notifications.tables import Table


class ErasedPerson(Table, table=True):
    """An erased person, named by `samspill.privacy.erased_marker` (never their id). Kept
    outside the read model, so a rebuild from topics that no longer hold the erasure still
    erases what the replay brings back."""

    __tablename__ = "erased_person"

    marker: str = Field(primary_key=True, max_length=40)
    erased_at: datetime = Field(sa_type=DateTime(timezone=True))
