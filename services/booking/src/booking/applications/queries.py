"""Reads of applications, their sections and, once a round's results are sent, what each
section got; nothing here writes or commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.allocation.tables import AllocatedTime, SectionOutcome
from booking.applications.tables import Application, ApplicationSection
from booking.catalogue import queries as catalogue
from booking.organisations.tables import Organisation
from booking.rounds.tables import ApplicationRound
from booking.waiting_list.tables import WaitingEntry
from samspill.auth import Principal
from samspill.errors import NotFound

RESULTS_SENT = "results_sent"


@dataclass(frozen=True)
class Granted:
    space_id: uuid.UUID
    space_name: str
    weekday: int
    start_minute: int
    end_minute: int
    series_id: uuid.UUID | None


@dataclass(frozen=True)
class SectionResult:
    status: str
    explanation: str
    explanation_nb: str
    granted: list[Granted] = field(default_factory=list)
    waiting_position: int | None = None


@dataclass(frozen=True)
class ApplicationView:
    """An application with what its answer shows: round, organisation, ranked sections and,
    once results are sent, each section's result."""

    application: Application
    round: ApplicationRound
    organisation_name: str
    sections: list[ApplicationSection]
    results: dict[uuid.UUID, SectionResult]


async def find(
    session: AsyncSession, round_id: uuid.UUID, organisation_id: uuid.UUID, *, lock: bool = False
) -> Application | None:
    query = select(Application).where(
        col(Application.round_id) == round_id,
        col(Application.organisation_id) == organisation_id,
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalars().first()


async def organisation(session: AsyncSession, organisation_id: uuid.UUID) -> Organisation:
    found = await session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound(
            f"Unknown organisation {organisation_id}.", f"Ukjent organisasjon {organisation_id}."
        )
    return found


def check_member(principal: Principal, organisation_id: uuid.UUID) -> None:
    """Members of the club and the municipal admin read its applications; others learn nothing."""
    if not principal.member_of(organisation_id):
        raise NotFound(
            f"Unknown organisation {organisation_id}.", f"Ukjent organisasjon {organisation_id}."
        )


async def application_of(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID, organisation_id: uuid.UUID
) -> ApplicationView:
    check_member(principal, organisation_id)
    application = await find(session, round_id, organisation_id)
    if application is None:
        raise NotFound(
            f"Organisation {organisation_id} has not applied in round {round_id}.",
            f"Organisasjonen {organisation_id} har ikke søkt i runden {round_id}.",
        )
    (view,) = await views(session, [application])
    return view


async def of_round(session: AsyncSession, round_id: uuid.UUID) -> list[ApplicationView]:
    query = select(Application).where(col(Application.round_id) == round_id)
    return await views(session, list((await session.execute(query)).scalars().all()))


async def of_organisation(
    session: AsyncSession, organisation_id: uuid.UUID
) -> list[ApplicationView]:
    query = (
        select(Application)
        .join(ApplicationRound, col(ApplicationRound.id) == col(Application.round_id))
        .where(col(Application.organisation_id) == organisation_id)
        .order_by(col(ApplicationRound.applications_open).desc())
    )
    return await views(session, list((await session.execute(query)).scalars().all()))


async def views(
    session: AsyncSession, applications: Sequence[Application]
) -> list[ApplicationView]:
    """The applications with their rounds, organisation names, sections and results."""
    if not applications:
        return []
    ids = [a.id for a in applications]
    round_ids = list({a.round_id for a in applications})
    round_query = select(ApplicationRound).where(col(ApplicationRound.id).in_(round_ids))
    rounds = {r.id: r for r in (await session.execute(round_query)).scalars()}
    organisation_ids = list({a.organisation_id for a in applications})
    organisation_query = select(Organisation).where(col(Organisation.id).in_(organisation_ids))
    organisations = {o.id: o for o in (await session.execute(organisation_query)).scalars()}
    section_query = (
        select(ApplicationSection)
        .where(col(ApplicationSection.application_id).in_(ids))
        .order_by(col(ApplicationSection.position))
    )
    sections: dict[uuid.UUID, list[ApplicationSection]] = {i: [] for i in ids}
    for section in (await session.execute(section_query)).scalars():
        sections[section.application_id].append(section)
    sent = [
        section.id
        for a in applications
        if rounds[a.round_id].state == RESULTS_SENT
        for section in sections[a.id]
    ]
    results = await results_of(session, sent)
    found = [
        ApplicationView(
            application=a,
            round=rounds[a.round_id],
            organisation_name=organisations[a.organisation_id].name,
            sections=sections[a.id],
            results=results if rounds[a.round_id].state == RESULTS_SENT else {},
        )
        for a in applications
    ]
    return sorted(found, key=lambda v: (v.round.applications_open, v.organisation_name))


async def results_of(
    session: AsyncSession, section_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, SectionResult]:
    """What each section got in its round's allocation: outcome, granted times (with the
    series publishing made of them) and its place on the waiting list."""
    if not section_ids:
        return {}
    wanted = list(section_ids)
    outcomes = (
        await session.execute(
            select(SectionOutcome).where(col(SectionOutcome.section_id).in_(wanted))
        )
    ).scalars()
    times = (
        await session.execute(
            select(AllocatedTime)
            .where(col(AllocatedTime.section_id).in_(wanted))
            .order_by(col(AllocatedTime.weekday), col(AllocatedTime.start_minute))
        )
    ).scalars()
    waiting = (
        await session.execute(
            select(col(WaitingEntry.section_id), col(WaitingEntry.position)).where(
                col(WaitingEntry.section_id).in_(wanted)
            )
        )
    ).all()
    positions = {section_id: position for section_id, position in waiting}
    granted: dict[uuid.UUID, list[Granted]] = {}
    names: dict[uuid.UUID, str] = {}
    for time in times:
        if time.space_id not in names:
            space = await catalogue.get_space(session, time.space_id)
            names[time.space_id] = space.name if space else ""
        granted.setdefault(time.section_id, []).append(
            Granted(
                space_id=time.space_id,
                space_name=names[time.space_id],
                weekday=time.weekday,
                start_minute=time.start_minute,
                end_minute=time.end_minute,
                series_id=time.series_id,
            )
        )
    return {
        outcome.section_id: SectionResult(
            status=outcome.status,
            explanation=outcome.explanation,
            explanation_nb=outcome.explanation_nb,
            granted=granted.get(outcome.section_id, []),
            waiting_position=positions.get(outcome.section_id),
        )
        for outcome in outcomes
    }
