"""The answer of `/me/data` and `/people/{person_id}/data`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

SERVICE = "facilities"


class PersonalData(BaseModel):
    service: str = SERVICE
    person_id: str
    sections: dict[str, list[dict[str, Any]]] = Field(
        description="Each kind of data the service holds about the person, as rows."
    )
