"""`/organisations/{id}/preparedness` (what a club can contribute in an emergency) and
`/preparedness/overview` (the emergency staff's overview by district)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from booking.dependencies import NowDep
from booking.domain.preparedness import OrganisationResources, overview
from booking.preparedness import queries, use_cases
from booking.preparedness.schemas import (
    Contact247,
    OverviewPublic,
    PreparednessBody,
    PreparednessPublic,
    district_public,
)
from samspill.auth import CurrentPrincipal, Principal
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["preparedness"])

PREPAREDNESS = "/organisations/{organisation_id}/preparedness"


@router.get(PREPAREDNESS)
async def get_preparedness(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: NowDep
) -> PreparednessPublic:
    """The club's members and the emergency staff read it; the 24/7 contact is shown to the
    emergency staff and the municipal admin only."""
    organisation = await queries.readable_organisation(uow.session, principal, organisation_id)
    row = await queries.preparedness_of(uow.session, organisation.id)
    resources = queries.resources(organisation, row)
    if queries.is_emergency_reader(principal):
        await use_cases.record_contact_views(
            uow, principal, [resources], "preparedness: 24/7 contact", now
        )
    return _public(resources, principal, None if row is None else row.updated_at)


@router.put(PREPAREDNESS)
async def register_preparedness(
    organisation_id: uuid.UUID,
    body: PreparednessBody,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> PreparednessPublic:
    """The club's administrators register what it can contribute, replacing what was there;
    `contact_24_7` left out keeps the registered contact."""
    resources = await use_cases.register(uow, principal, organisation_id, body, now)
    return _public(resources, principal, now)


@router.get("/preparedness/overview")
async def preparedness_overview(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    district: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> OverviewPublic:
    """The emergency staff's overview: the organisations' registered resources summed and
    listed by district, and every site with its preparedness facts. Which sites are
    requisitioned is facilities' `GET /requisitions`; the portal joins the two."""
    queries.require_emergency_reader(principal)
    organisations = await queries.registered_resources(uow.session, district)
    sites = await queries.all_site_facts(uow.session)
    await use_cases.record_contact_views(
        uow, principal, organisations, "preparedness overview: 24/7 contact", now
    )
    groups = overview(organisations, sites, district)
    return OverviewPublic(district=district, districts=[district_public(g) for g in groups])


def _public(
    resources: OrganisationResources, principal: Principal, updated_at: datetime | None
) -> PreparednessPublic:
    contact = resources.contact_24_7
    shown = contact is not None and queries.is_emergency_reader(principal)
    return PreparednessPublic(
        organisation_id=resources.organisation_id,
        organisation_name=resources.name,
        district=resources.district,
        volunteers=dict(resources.volunteers),
        equipment=list(resources.equipment),
        vehicles=list(resources.vehicles),
        agreements=list(resources.agreements),
        contact_24_7_registered=contact is not None,
        contact_24_7=Contact247.model_validate(contact) if shown else None,
        updated_at=updated_at,
    )
