"""A person's data in booking: the export (the kernel's `/me/data` and `/people/{id}/data`)
and erasure (`/me/erasure`, and `/people/{id}/erasure` for staff handling a written request)."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, status

from booking.dependencies import NowDep
from booking.personal_data import queries, use_cases
from booking.personal_data.schemas import ErasureAccepted, ErasureRequest
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.personal_data import Admin, PersonId, person_of, personal_data_router

# Untagged itself: the kernel's routes bring their tag, and a tag given twice would list an
# operation twice in the API documentation.
router = APIRouter()
router.include_router(personal_data_router("booking", queries.personal_data))
TAGS: list[str | Enum] = ["personal data"]


@router.post("/me/erasure", status_code=status.HTTP_202_ACCEPTED, tags=TAGS)
async def erase_me(uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep) -> ErasureAccepted:
    """Erase the caller's data in booking now and tell the other services to follow. What an
    organisation needs stays under its name; a resident's bookings and loans keep only the
    facts usage statistics need. 409 for the last administrator of an organisation (hand it
    over first); asking again changes nothing more."""
    person_id = person_of(principal)
    erasure_id = await use_cases.erase_person(uow, person_id, "self", None, now)
    return ErasureAccepted(erasure_id=erasure_id)


@router.post("/people/{person_id}/erasure", status_code=status.HTTP_202_ACCEPTED, tags=TAGS)
async def erase_person(
    person_id: PersonId, body: ErasureRequest, uow: UnitOfWorkDep, admin: Admin, now: NowDep
) -> ErasureAccepted:
    """The same for a person's written request (admin)."""
    erasure_id = await use_cases.erase_person(uow, person_id, "staff", body.reason, now)
    return ErasureAccepted(erasure_id=erasure_id)
