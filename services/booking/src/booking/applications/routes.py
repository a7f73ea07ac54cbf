"""`/rounds/{round_id}/applications`: clubs apply for a season's weekly times, change and
withdraw their application while the round is open; the club's members and the municipal
admin read them (with each section's result once the round's results are sent)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from booking.applications import queries, use_cases
from booking.applications.schemas import (
    ApplicationPublic,
    ApplicationPut,
    GrantedPublic,
    SectionPublic,
    SectionResultPublic,
    WeeklyRange,
)
from booking.applications.tables import ApplicationSection
from booking.dependencies import NowDep
from booking.domain.rounds import minutes_text
from booking.rounds import queries as rounds
from samspill.auth import CurrentPrincipal, Principal, Role, require_roles
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["applications"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ONE = "/rounds/{round_id}/applications/{organisation_id}"


@router.put(ONE)
async def submit_application(
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    body: ApplicationPut,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> ApplicationPublic:
    """Create or replace the club's application (the sections' order is the club's ranking).
    409 outside the round's application period; 403 unless the caller books for the club."""
    view = await use_cases.submit(uow, principal, round_id, organisation_id, body, now)
    return application_public(view)


@router.get(ONE)
async def get_application(
    round_id: uuid.UUID, organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ApplicationPublic:
    view = await queries.application_of(uow.session, principal, round_id, organisation_id)
    return application_public(view)


@router.post(f"{ONE}/withdraw")
async def withdraw_application(
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> ApplicationPublic:
    """Only while the round takes applications; the club may apply again afterwards."""
    view = await use_cases.withdraw(uow, principal, round_id, organisation_id, now)
    return application_public(view)


@router.get("/rounds/{round_id}/applications")
async def list_round_applications(
    round_id: uuid.UUID, uow: UnitOfWorkDep, _: Admin
) -> list[ApplicationPublic]:
    await rounds.get_round(uow.session, round_id)
    return [application_public(v) for v in await queries.of_round(uow.session, round_id)]


@router.get("/organisations/{organisation_id}/applications")
async def list_organisation_applications(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[ApplicationPublic]:
    """The club's applications across rounds, with each round's name and state."""
    queries.check_member(principal, organisation_id)
    views = await queries.of_organisation(uow.session, organisation_id)
    return [application_public(v) for v in views]


def application_public(view: queries.ApplicationView) -> ApplicationPublic:
    application = view.application
    return ApplicationPublic(
        id=application.id,
        round_id=application.round_id,
        round_name=view.round.name,
        round_state=view.round.state,
        organisation_id=application.organisation_id,
        organisation_name=view.organisation_name,
        status=application.status,
        note=application.note,
        version=application.version,
        created_at=application.created_at,
        updated_at=application.updated_at,
        sections=[_section(s, view.results.get(s.id)) for s in view.sections],
    )


def _section(section: ApplicationSection, result: queries.SectionResult | None) -> SectionPublic:
    return SectionPublic(
        id=section.id,
        position=section.position,
        name=section.name,
        activity=section.activity,
        age_group=section.age_group,
        group_size=section.group_size,
        times_per_week=section.times_per_week,
        min_minutes=section.min_minutes,
        max_minutes=section.max_minutes,
        halls=[uuid.UUID(hall) for hall in section.halls],
        preferred=[WeeklyRange.model_validate(r) for r in section.preferred],
        acceptable=[WeeklyRange.model_validate(r) for r in section.acceptable],
        team_id=section.team_id,
        result=None if result is None else _result(result),
    )


def _result(result: queries.SectionResult) -> SectionResultPublic:
    return SectionResultPublic(
        status=result.status,
        granted=[
            GrantedPublic(
                space_id=g.space_id,
                space_name=g.space_name,
                weekday=g.weekday,
                start=minutes_text(g.start_minute),
                end=minutes_text(g.end_minute),
                series_id=g.series_id,
            )
            for g in result.granted
        ],
        explanation=result.explanation,
        explanation_nb=result.explanation_nb,
        waiting_position=result.waiting_position,
    )
