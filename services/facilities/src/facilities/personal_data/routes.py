"""`/me/data`: what facilities holds about the caller; `/people/{person_id}/data`: the same for
staff handling a person's written request (admins, a reason required and logged)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from facilities.personal_data.queries import personal_data_of
from facilities.personal_data.schemas import PersonalData
from facilities.personal_data.use_cases import export_for_request
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["personal data"])


@router.get("/me/data")
async def my_data(principal: CurrentPrincipal, uow: UnitOfWorkDep) -> PersonalData:
    """Everything facilities holds about the caller, by section."""
    person_id = principal.person_id
    return PersonalData(
        person_id=person_id, sections=await personal_data_of(uow.session, person_id)
    )


@router.get("/people/{person_id}/data")
async def person_data(
    person_id: Annotated[str, Path(min_length=1, max_length=80)],
    reason: Annotated[
        str,
        Query(
            min_length=3,
            max_length=500,
            description="The written request being handled (its reference); kept in the "
            "access log.",
        ),
    ],
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
) -> PersonalData:
    """A person's data for their written request (admins only); the view is logged."""
    sections = await export_for_request(uow, principal, person_id, reason)
    return PersonalData(person_id=person_id, sections=sections)
