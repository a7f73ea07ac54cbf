"""What an organisation registered it can contribute in an emergency, owned here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.tables import Table


def _json() -> Any:
    return Field(sa_column=Column(JSONB, nullable=False))


class OrganisationPreparedness(Table, table=True):
    """One row per organisation that registered: `volunteers` `{skill: count}`, `equipment`,
    `vehicles` and `agreements` lists of short texts, `contact_24_7` `{"name", "phone"}` (shown
    to the emergency staff and the municipal admin only) or null."""

    __tablename__ = "organisation_preparedness"

    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", primary_key=True)
    volunteers: dict[str, Any] = _json()
    equipment: list[Any] = _json()
    vehicles: list[Any] = _json()
    agreements: list[Any] = _json()
    contact_24_7: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONB, nullable=True)
    )
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
