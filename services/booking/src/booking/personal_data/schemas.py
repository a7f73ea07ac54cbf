"""Request and response bodies of a person's export and erasure."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from samspill.personal_data import REASON_DESCRIPTION


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, description=REASON_DESCRIPTION)


class ErasureAccepted(BaseModel):
    """The erasure is done in booking and announced to the other services, which follow."""

    erasure_id: uuid.UUID
