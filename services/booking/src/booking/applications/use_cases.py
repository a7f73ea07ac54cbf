"""Use cases of applications: a club applies (or changes its application) and withdraws it,
only while the round takes applications."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.applications import queries
from booking.applications.schemas import ApplicationPut, SectionBody
from booking.applications.tables import Application, ApplicationSection
from booking.catalogue import queries as catalogue
from booking.domain.rounds import (
    RoundStatus,
    RoundView,
    SectionRequest,
    check_open_for_applications,
    check_section,
    weekly_time,
)
from booking.rounds import queries as rounds
from booking.teams.tables import Team
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Forbidden, NotFound, RuleViolation
from samspill.recurrence import local_date


async def submit(
    uow: UnitOfWork,
    principal: Principal,
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    body: ApplicationPut,
    now: datetime,
) -> queries.ApplicationView:
    """Create or replace the club's application; a withdrawn one is submitted again."""
    session = uow.session
    view = await _open_round(session, principal, round_id, organisation_id, now)
    capacities = await _capacities(session, view)
    for section in body.sections:
        check_section(_request(section), view, capacities)
    await _check_teams(session, organisation_id, body.sections)
    application = await _claim(session, principal, round_id, organisation_id, now)
    if application.version > 0:
        await session.execute(
            delete(ApplicationSection).where(
                col(ApplicationSection.application_id) == application.id
            )
        )
    application.status = "submitted"
    application.note = body.note
    application.submitted_by = principal.person_id
    application.version += 1
    application.updated_at = now
    session.add_all(
        _section_row(application.id, position, section)
        for position, section in enumerate(body.sections, start=1)
    )
    await session.flush()
    (answer,) = await queries.views(session, [application])
    await uow.commit()
    return answer


async def withdraw(
    uow: UnitOfWork,
    principal: Principal,
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    now: datetime,
) -> queries.ApplicationView:
    session = uow.session
    await _open_round(session, principal, round_id, organisation_id, now)
    application = await queries.find(session, round_id, organisation_id, lock=True)
    if application is None:
        raise NotFound(
            "The club has no application in this round to withdraw.",
            "Laget har ingen søknad i denne runden å trekke.",
        )
    if application.status != "withdrawn":
        application.status = "withdrawn"
        application.version += 1
        application.updated_at = now
    await session.flush()
    (answer,) = await queries.views(session, [application])
    await uow.commit()
    return answer


async def _open_round(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    now: datetime,
) -> RoundView:
    """The round, held for share so it cannot close meanwhile, once the caller may apply for
    the club and the round takes applications today."""
    await queries.organisation(session, organisation_id)
    if not principal.books_for(organisation_id):
        raise Forbidden(
            "Only the club's administrators and bookers may apply for it.",
            "Bare lagets administratorer og bookere kan søke for det.",
        )
    round_ = await rounds.get_round(session, round_id, share=True)
    space_ids = (await rounds.space_ids_of(session, [round_id]))[round_id]
    view = rounds.round_view(round_, space_ids)
    check_open_for_applications(RoundStatus(round_.state), view.periods, local_date(now))
    return view


async def _capacities(session: AsyncSession, view: RoundView) -> dict[str, int]:
    found = {}
    for space_id in view.space_ids:
        space = await catalogue.get_space(session, uuid.UUID(space_id))
        found[space_id] = space.capacity if space else 0
    return found


def _request(section: SectionBody) -> SectionRequest:
    return SectionRequest(
        name=section.name,
        group_size=section.group_size,
        times_per_week=section.times_per_week,
        min_minutes=section.min_minutes,
        max_minutes=section.max_minutes,
        halls=tuple(str(hall) for hall in section.halls),
        preferred=tuple(weekly_time(r.weekday, r.start, r.end) for r in section.preferred),
        acceptable=tuple(
            weekly_time(r.weekday, r.start, r.end, "acceptable") for r in section.acceptable
        ),
    )


async def _check_teams(
    session: AsyncSession, organisation_id: uuid.UUID, sections: list[SectionBody]
) -> None:
    wanted = {s.team_id for s in sections if s.team_id is not None}
    if not wanted:
        return
    query = select(col(Team.id)).where(
        col(Team.id).in_(list(wanted)), col(Team.organisation_id) == organisation_id
    )
    known = set((await session.execute(query)).scalars())
    unknown = wanted - known
    if unknown:
        team = next(iter(unknown))
        raise RuleViolation(
            f"Team {team} is not one of the club's teams.",
            f"Gruppen {team} er ikke en av lagets grupper.",
            field="team_id",
        )


async def _claim(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    now: datetime,
) -> Application:
    """The club's application row, locked; a new one (version 0) when it has none, inserted so
    that two first submissions at once end up with one row."""
    values = {
        "id": uuid.uuid4(),
        "round_id": round_id,
        "organisation_id": organisation_id,
        "submitted_by": principal.person_id,
        "status": "submitted",
        "version": 0,
        "created_at": now,
        "updated_at": now,
    }
    await session.execute(
        insert(Application)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["round_id", "organisation_id"])
    )
    application = await queries.find(session, round_id, organisation_id, lock=True)
    assert application is not None
    await session.refresh(application)
    return application


def _section_row(
    application_id: uuid.UUID, position: int, section: SectionBody
) -> ApplicationSection:
    return ApplicationSection(
        application_id=application_id,
        position=position,
        name=section.name,
        activity=section.activity,
        age_group=section.age_group,
        group_size=section.group_size,
        times_per_week=section.times_per_week,
        min_minutes=section.min_minutes,
        max_minutes=section.max_minutes,
        halls=[str(hall) for hall in section.halls],
        preferred=[r.model_dump() for r in section.preferred],
        acceptable=[r.model_dump() for r in section.acceptable],
        team_id=section.team_id,
    )
