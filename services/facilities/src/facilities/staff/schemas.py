"""HTTP bodies of the staff grants: the grant as the API answers with it, and the person id
the paths name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from facilities.dependencies import Page
from facilities.domain import StaffGrantKind
from facilities.staff.tables import StaffGrant

# Samspill derives a person's id from their issuer and subject as a name-based UUID (version 5),
# so an id of anything else (a site, an organisation: version 4) is refused, not granted.
_PERSON_ID_VERSION = 5


def _a_person_id(value: UUID) -> UUID:
    if value.version != _PERSON_ID_VERSION:
        raise ValueError(
            "not a Samspill person id (a name-based UUID) / ikke en person-id i Samspill"
        )
    return value


PersonIdValue = Annotated[UUID, AfterValidator(_a_person_id)]
PersonId = Annotated[
    PersonIdValue,
    Path(description="Samspill's id of the person: the UUID derived from their login."),
]


class StaffGrantPublic(BaseModel):
    """One grant: `site` makes the person a manager of the site, `centre` staff of the
    equipment centre, `emergency` the municipality's emergency staff (object `municipality`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    kind: StaffGrantKind
    object_id: UUID | Literal["municipality"] = Field(
        description="The site managed, the equipment centre staffed, or `municipality` for "
        "the emergency staff."
    )
    granted_by: str = Field(
        description="Who granted it: an administrator's person id, or `client:<id>`."
    )
    granted_at: datetime

    @classmethod
    def of(cls, row: StaffGrant) -> Self:
        return cls(
            person_id=row.person_id,
            kind=StaffGrantKind(row.kind),
            object_id=row.object_id or "municipality",
            granted_by=row.granted_by,
            granted_at=row.granted_at,
        )


def grants_page(
    rows: Sequence[StaffGrant], total: int, limit: int, offset: int
) -> Page[StaffGrantPublic]:
    items = [StaffGrantPublic.of(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
