"""A person's data in booking: the export (`/me/data`, and `/people/{id}/data` for staff
handling a written request) and erasure (`/me/erasure`, `/people/{id}/erasure`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from booking.dependencies import NowDep
from booking.personal_data import queries, use_cases
from booking.personal_data.schemas import (
    REASON_DESCRIPTION,
    ErasureAccepted,
    ErasureRequest,
    PersonalDataPublic,
)
from samspill.auth import CurrentPrincipal, Principal, Role, require_roles
from samspill.db import UnitOfWorkDep
from samspill.errors import Forbidden

router = APIRouter(tags=["personal data"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
PersonId = Annotated[str, Path(min_length=1, max_length=80, description="A Samspill person id.")]
Reason = Annotated[str, Query(min_length=1, max_length=500, description=REASON_DESCRIPTION)]


def _a_person(principal: Principal) -> str:
    if not principal.is_person:
        raise Forbidden(
            "Only a person has personal data here; an integration has none.",
            "Bare personer har personopplysninger her; en integrasjon har ingen.",
        )
    return principal.person_id


@router.get("/me/data")
async def my_data(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> PersonalDataPublic:
    """Everything booking holds about the caller: profile, memberships, invitations, own
    bookings, series and loans, bookings made for organisations, applications, teams they are
    the contact of, and the access log of staff's views of their data."""
    person_id = _a_person(principal)
    sections = await queries.personal_data(uow.session, person_id)
    return PersonalDataPublic(person_id=person_id, sections=sections)


@router.get("/people/{person_id}/data")
async def person_data(
    person_id: PersonId, reason: Reason, uow: UnitOfWorkDep, admin: Admin, now: NowDep
) -> PersonalDataPublic:
    """The same for a person's written request (admin; the reason is required and the view
    recorded in the access log)."""
    sections = await use_cases.export_for_request(uow, admin, person_id, reason, now)
    return PersonalDataPublic(person_id=person_id, sections=sections)


@router.post("/me/erasure", status_code=status.HTTP_202_ACCEPTED)
async def erase_me(uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep) -> ErasureAccepted:
    """Erase the caller's data in booking now and tell the other services to follow. What an
    organisation needs stays under its name; a resident's bookings and loans keep only the
    facts usage statistics need. 409 for the last administrator of an organisation (hand it
    over first); asking again changes nothing more."""
    person_id = _a_person(principal)
    erasure_id = await use_cases.erase_person(uow, person_id, "self", None, now)
    return ErasureAccepted(erasure_id=erasure_id)


@router.post("/people/{person_id}/erasure", status_code=status.HTTP_202_ACCEPTED)
async def erase_person(
    person_id: PersonId, body: ErasureRequest, uow: UnitOfWorkDep, admin: Admin, now: NowDep
) -> ErasureAccepted:
    """The same for a person's written request (admin)."""
    erasure_id = await use_cases.erase_person(uow, person_id, "staff", body.reason, now)
    return ErasureAccepted(erasure_id=erasure_id)
