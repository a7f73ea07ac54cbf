"""A person's right of access, the same in every service: `GET /me/data` answers what the
service holds about the caller; `GET /people/{person_id}/data` the same for staff handling a
person's written request (admins only; the reason is required and the view is recorded in the
access log). Each service gives only its `Export`: the person's data by section."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from samspill.access_log import record_access
from samspill.auth import CurrentPrincipal, Principal, Role, require_roles
from samspill.db import UnitOfWorkDep
from samspill.errors import Forbidden

__all__ = [
    "REASON_DESCRIPTION",
    "Admin",
    "Export",
    "PersonId",
    "PersonalData",
    "Sections",
    "person_of",
    "personal_data_router",
]

Sections = dict[str, list[dict[str, Any]]]
Export = Callable[[AsyncSession, str], Awaitable[Sections]]

REASON_DESCRIPTION = "The written request being handled (its reference); kept in the access log."
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
PersonId = Annotated[str, Path(min_length=1, max_length=80, description="A Samspill person id.")]
Reason = Annotated[str, Query(min_length=1, max_length=500, description=REASON_DESCRIPTION)]


class PersonalData(BaseModel):
    """Everything one service holds about one person, by kind (each a list of rows)."""

    service: str
    person_id: str
    sections: Sections = Field(
        description="Each kind of data the service holds about the person, as rows."
    )


def person_of(principal: Principal) -> str:
    """The caller's person id; an integration (a client, not a person) has no personal data."""
    if not principal.is_person:
        raise Forbidden(
            "Only a person has personal data here; an integration has none.",
            "Bare personer har personopplysninger her; en integrasjon har ingen.",
        )
    return principal.person_id


def personal_data_router(service: str, export: Export) -> APIRouter:
    """The two routes of a person's data in `service`, answered by `export`."""
    router = APIRouter(tags=["personal data"])

    @router.get("/me/data")
    async def my_data(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> PersonalData:
        """Everything the service holds about the caller, by section."""
        person_id = person_of(principal)
        sections = await export(uow.session, person_id)
        return PersonalData(service=service, person_id=person_id, sections=sections)

    @router.get("/people/{person_id}/data")
    async def person_data(
        person_id: PersonId, reason: Reason, uow: UnitOfWorkDep, admin: Admin
    ) -> PersonalData:
        """The same for a person's written request (admins); the view is logged."""
        sections = await export(uow.session, person_id)
        await record_access(
            uow.session,
            admin,
            subject_person_id=person_id,
            subject_kind="export",
            subject_id=person_id,
            what=f"everything {service} holds about the person",
            why=reason,
        )
        await uow.commit()
        return PersonalData(service=service, person_id=person_id, sections=sections)

    return router
