"""Request and response bodies of a person's export and erasure."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

REASON_DESCRIPTION = (
    "Staff's reference to the person's written request (a case number), recorded in the "
    "access log; never personal data."
)


class PersonalDataPublic(BaseModel):
    """Everything booking holds about one person, by kind (each a list of rows)."""

    service: str = "booking"
    person_id: str
    sections: dict[str, list[dict[str, Any]]]


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, description=REASON_DESCRIPTION)


class ErasureAccepted(BaseModel):
    """The erasure is done in booking and announced to the other services, which follow."""

    erasure_id: uuid.UUID
