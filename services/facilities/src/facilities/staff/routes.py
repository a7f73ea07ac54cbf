"""`/sites/{id}/managers`, `/centres/{id}/staff`, `/emergency-staff/{person}`, `/staff-grants`:
the municipality's administrators grant and revoke; a site's managers (a centre's staff) see
who else is. Every list names other people, so each view is recorded in the access log."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from facilities.dependencies import Limit, Now, Offset, Page
from facilities.domain import StaffGrantKind
from facilities.staff import queries, use_cases
from facilities.staff.schemas import PersonId, PersonIdValue, StaffGrantPublic, grants_page
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["staff"])

ViewReason = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=500,
        description="Why staff look at who holds grants, for the access log (default: the "
        "list's purpose).",
    ),
]
SITE_MANAGERS = "site managers list"
CENTRE_STAFF = "equipment centre staff list"
STAFF_ACCESS = "staff access administration"

_GRANTED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Granted now."},
    200: {"description": "Already granted."},
}


async def _grant(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    kind: StaffGrantKind,
    object_id: UUID | None,
    person_id: UUID,
    now: Now,
    response: Response,
) -> StaffGrantPublic:
    row, created = await use_cases.grant_staff(uow, principal, kind, object_id, person_id, now)
    response.status_code = 201 if created else 200
    return StaffGrantPublic.of(row)


# Site managers


@router.get("/sites/{site_id}/managers")
async def list_site_managers(
    site_id: UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    limit: Limit = 50,
    offset: Offset = 0,
    reason: ViewReason = None,
) -> Page[StaffGrantPublic]:
    """The site's managers: for admins and the site's own managers (the view is logged)."""
    rows, total = await queries.grants_on(
        uow.session, principal, StaffGrantKind.SITE, site_id, limit=limit, offset=offset
    )
    view = use_cases.GrantsView(
        "site_managers", str(site_id), "the site's managers", reason or SITE_MANAGERS
    )
    await use_cases.record_grant_views(uow, principal, rows, view, now)
    return grants_page(rows, total, limit, offset)


@router.put("/sites/{site_id}/managers/{person_id}", responses=_GRANTED)
async def grant_site_manager(
    site_id: UUID,
    person_id: PersonId,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    response: Response,
) -> StaffGrantPublic:
    """Make the person a manager of the site (admins only; granting again changes nothing)."""
    return await _grant(uow, principal, StaffGrantKind.SITE, site_id, person_id, now, response)


@router.delete("/sites/{site_id}/managers/{person_id}", status_code=204)
async def revoke_site_manager(
    site_id: UUID, person_id: PersonId, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> None:
    """The person no longer manages the site (admins only); it takes effect at once."""
    await use_cases.revoke_staff(uow, principal, StaffGrantKind.SITE, site_id, person_id)


# Equipment centre staff (a centre is a site of kind `equipment_centre`)


@router.get("/centres/{centre_id}/staff")
async def list_centre_staff(
    centre_id: UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    limit: Limit = 50,
    offset: Offset = 0,
    reason: ViewReason = None,
) -> Page[StaffGrantPublic]:
    """The centre's staff: for admins and the centre's own staff (the view is logged)."""
    rows, total = await queries.grants_on(
        uow.session, principal, StaffGrantKind.CENTRE, centre_id, limit=limit, offset=offset
    )
    view = use_cases.GrantsView(
        "centre_staff", str(centre_id), "the centre's staff", reason or CENTRE_STAFF
    )
    await use_cases.record_grant_views(uow, principal, rows, view, now)
    return grants_page(rows, total, limit, offset)


@router.put("/centres/{centre_id}/staff/{person_id}", responses=_GRANTED)
async def grant_centre_staff(
    centre_id: UUID,
    person_id: PersonId,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    response: Response,
) -> StaffGrantPublic:
    """Make the person staff of the equipment centre (admins only; idempotent)."""
    return await _grant(uow, principal, StaffGrantKind.CENTRE, centre_id, person_id, now, response)


@router.delete("/centres/{centre_id}/staff/{person_id}", status_code=204)
async def revoke_centre_staff(
    centre_id: UUID, person_id: PersonId, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> None:
    """The person no longer works at the centre (admins only); it takes effect at once."""
    await use_cases.revoke_staff(uow, principal, StaffGrantKind.CENTRE, centre_id, person_id)


# The municipality's emergency staff (requisitions; no site: the whole municipality)


@router.put("/emergency-staff/{person_id}", responses=_GRANTED)
async def grant_emergency_staff(
    person_id: PersonId,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    response: Response,
) -> StaffGrantPublic:
    """Make the person the municipality's emergency staff (admins only; idempotent)."""
    return await _grant(uow, principal, StaffGrantKind.EMERGENCY, None, person_id, now, response)


@router.delete("/emergency-staff/{person_id}", status_code=204)
async def revoke_emergency_staff(
    person_id: PersonId, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> None:
    """The person is no longer emergency staff (admins only); it takes effect at once."""
    await use_cases.revoke_staff(uow, principal, StaffGrantKind.EMERGENCY, None, person_id)


# Everything granted


@router.get("/staff-grants")
async def list_staff_grants(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    person_id: Annotated[
        PersonIdValue | None, Query(description="Only this person's grants.")
    ] = None,
    kind: StaffGrantKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    reason: ViewReason = None,
) -> Page[StaffGrantPublic]:
    """Staff grants, oldest first (admins only; the view is logged)."""
    person = None if person_id is None else str(person_id)
    rows, total = await queries.list_grants(
        uow.session, principal, person_id=person, kind=kind, limit=limit, offset=offset
    )
    view = use_cases.GrantsView(
        "staff_grants", person or "all", "staff grants", reason or STAFF_ACCESS
    )
    await use_cases.record_grant_views(uow, principal, rows, view, now)
    return grants_page(rows, total, limit, offset)
