"""Reads of a round's allocation: the problem as the database holds it (halls with their free
weekly time, the sections that applied, the pinned times), the stored times, outcomes, runs
and the waiting order. Nothing here writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.allocation.tables import AllocatedTime, AllocationRun
from booking.allocation.tables import SectionOutcome as OutcomeRow
from booking.applications.tables import Application, ApplicationSection
from booking.bookings.queries import ACTIVE_STATUSES, Place
from booking.bookings.tables import Booking
from booking.catalogue import queries as catalogue
from booking.domain.allocation import (
    AgeGroup,
    AllocationProblem,
    Hall,
    Placement,
    Priorities,
    PriorityClass,
    Section,
    WeeklyTime,
)
from booking.domain.weekly_time import ReleasedWeekly, free_weekly_time, minutes
from booking.organisations.tables import Organisation
from booking.rounds.tables import ApplicationRound, RoundSpace
from booking.series.tables import BookingSeries
from samspill.errors import NotFound

_CLASS_ORDER = {
    PriorityClass.CHILDREN_YOUTH: 0,
    PriorityClass.LOCAL: 1,
    PriorityClass.OTHER: 2,
}


async def load_round(
    session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False
) -> ApplicationRound:
    found = await session.get(ApplicationRound, round_id, with_for_update=for_update)
    if found is None:
        raise NotFound(f"Unknown round {round_id}.", f"Ukjent søknadsrunde {round_id}.")
    return found


async def round_space_ids(session: AsyncSession, round_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(col(RoundSpace.space_id)).where(col(RoundSpace.round_id) == round_id)
    return sorted((await session.execute(query)).scalars().all(), key=str)


@dataclass(frozen=True)
class Applicant:
    """A section of a submitted application with its application and club."""

    section: ApplicationSection
    application: Application
    organisation: Organisation

    def as_section(self) -> Section:
        return Section(
            section_id=str(self.section.id),
            club_id=str(self.organisation.id),
            name=self.section.name,
            age_group=AgeGroup(self.section.age_group),
            local=self.organisation.district is not None,
            club_rank=self.section.position,
            group_size=self.section.group_size,
            times_per_week=self.section.times_per_week,
            min_minutes=self.section.min_minutes,
            max_minutes=self.section.max_minutes,
            halls=tuple(self.section.halls),
            preferred=weekly_ranges(self.section.preferred),
            acceptable=weekly_ranges(self.section.acceptable),
        )


def weekly_ranges(ranges: Iterable[dict[str, Any]]) -> tuple[WeeklyTime, ...]:
    return tuple(
        WeeklyTime(int(r["weekday"]), minutes(str(r["start"])), minutes(str(r["end"])))
        for r in ranges
    )


@dataclass(frozen=True)
class RoundInput:
    """The allocation problem of a round and the rows it was built from."""

    round: ApplicationRound
    problem: AllocationProblem
    places: dict[str, Place]  # by space id
    applicants: dict[str, Applicant]  # by section id

    def hall_name(self, space_id: uuid.UUID | str) -> str:
        place = self.places.get(str(space_id))
        return "" if place is None else hall_name(place)


def hall_name(place: Place) -> str:
    return f"{place.site.name} – {place.space.name}"


async def round_input(session: AsyncSession, rnd: ApplicationRound) -> RoundInput:
    places = await _places(session, rnd.id)
    evening = (minutes(rnd.evening_start), minutes(rnd.evening_end))
    season = (rnd.season_first_date, rnd.season_last_date)
    halls = []
    for place in places.values():
        free = free_weekly_time(
            await _released(session, place.space.space_id),
            season,
            rnd.weekdays,
            evening,
            await held_for_season(session, catalogue.conflict_ids(place.space), season, rnd.id),
        )
        halls.append(
            Hall(
                space_id=str(place.space.space_id),
                name=hall_name(place),
                site_id=str(place.site.site_id),
                capacity=place.space.capacity,
                free=free,
                conflicts_with=frozenset(str(o) for o in place.space.conflicts_with),
            )
        )
    applicants = {str(a.section.id): a for a in await applicants_of(session, rnd.id)}
    problem = AllocationProblem(
        halls=tuple(halls),
        sections=tuple(
            _only_round_halls(a.as_section(), places.keys()) for a in applicants.values()
        ),
        priorities=priorities(rnd.priorities),
        pinned=tuple(
            placement(t) for t in await allocated_times(session, rnd.id) if t.pinned is not None
        ),
    )
    return RoundInput(rnd, problem, places, applicants)


def _only_round_halls(section: Section, halls: Iterable[str]) -> Section:
    keep = set(halls)
    if all(h in keep for h in section.halls):
        return section
    return Section(**{**_fields(section), "halls": tuple(h for h in section.halls if h in keep)})


def _fields(section: Section) -> dict[str, Any]:
    return {f.name: getattr(section, f.name) for f in fields(section)}


def priorities(stored: dict[str, Any]) -> Priorities:
    known = {f.name for f in fields(Priorities)}
    return Priorities(**{k: int(v) for k, v in stored.items() if k in known})


def placement(row: AllocatedTime) -> Placement:
    pinned: Any = row.pinned
    return Placement(
        str(row.section_id),
        str(row.space_id),
        WeeklyTime(row.weekday, row.start_minute, row.end_minute),
        pinned,
    )


async def _places(session: AsyncSession, round_id: uuid.UUID) -> dict[str, Place]:
    places = {}
    for space_id in await round_space_ids(session, round_id):
        space = await catalogue.get_space(session, space_id)
        site = None if space is None else await catalogue.get_site(session, space.site_id)
        if space is not None and site is not None and not space.retired:
            places[str(space_id)] = Place(space, site)
    return places


async def _released(session: AsyncSession, space_id: uuid.UUID) -> list[ReleasedWeekly]:
    return [
        ReleasedWeekly(w.weekdays, w.start, w.end, w.valid_from, w.valid_to)
        for w in await catalogue.windows_of(session, [space_id])
    ]


async def held_for_season(
    session: AsyncSession,
    space_ids: Sequence[uuid.UUID],
    season: tuple[date, date],
    round_id: uuid.UUID,
) -> list[WeeklyTime]:
    """Weekly time of active series on these spaces during the season, other than those this
    round made (a series holds its time while it has an active booking)."""
    active = exists().where(
        col(Booking.series_id) == col(BookingSeries.id),
        col(Booking.status).in_(ACTIVE_STATUSES),
    )
    query = select(BookingSeries).where(
        col(BookingSeries.space_id).in_(list(space_ids)),
        col(BookingSeries.first_date) <= season[1],
        col(BookingSeries.last_date) >= season[0],
        (col(BookingSeries.round_id).is_(None)) | (col(BookingSeries.round_id) != round_id),
        active,
    )
    held = []
    for series in (await session.execute(query)).scalars():
        start, end = minutes(series.local_start_time), minutes(series.local_end_time)
        held.append(WeeklyTime(series.weekday, start, end if end > start else 24 * 60))
    return held


async def applicants_of(session: AsyncSession, round_id: uuid.UUID) -> list[Applicant]:
    """The sections of the round's submitted applications, club by club in its own order."""
    query = (
        select(ApplicationSection, Application, Organisation)
        .join(Application, col(Application.id) == col(ApplicationSection.application_id))
        .join(Organisation, col(Organisation.id) == col(Application.organisation_id))
        .where(col(Application.round_id) == round_id, col(Application.status) == "submitted")
        .order_by(col(Organisation.name), col(ApplicationSection.position))
    )
    return [Applicant(s, a, o) for s, a, o in (await session.execute(query)).all()]


async def allocated_times(session: AsyncSession, round_id: uuid.UUID) -> Sequence[AllocatedTime]:
    query = (
        select(AllocatedTime)
        .where(col(AllocatedTime.round_id) == round_id)
        .order_by(
            col(AllocatedTime.space_id),
            col(AllocatedTime.weekday),
            col(AllocatedTime.start_minute),
        )
    )
    return (await session.execute(query)).scalars().all()


async def allocated_time(
    session: AsyncSession, round_id: uuid.UUID, time_id: uuid.UUID
) -> AllocatedTime:
    found = await session.get(AllocatedTime, time_id, with_for_update=True)
    if found is None or found.round_id != round_id:
        raise NotFound(
            f"Unknown allocated time {time_id} in round {round_id}.",
            f"Ukjent tildelt tid {time_id} i søknadsrunden {round_id}.",
        )
    return found


async def outcomes(session: AsyncSession, round_id: uuid.UUID) -> dict[uuid.UUID, OutcomeRow]:
    query = select(OutcomeRow).where(col(OutcomeRow.round_id) == round_id)
    return {row.section_id: row for row in (await session.execute(query)).scalars()}


async def latest_run(session: AsyncSession, round_id: uuid.UUID) -> AllocationRun | None:
    query = (
        select(AllocationRun)
        .where(col(AllocationRun.round_id) == round_id)
        .order_by(col(AllocationRun.started_at).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalars().first()


def waiting_order(
    run: AllocationRun | None,
    outcome_rows: dict[uuid.UUID, OutcomeRow],
    applicants: Iterable[Applicant],
) -> list[uuid.UUID]:
    """Sections not fully granted, first in line first: the latest run's order, then any that
    staff's changes left short, by priority class and the club's own ranking."""
    short = {
        a.section.id: a
        for a in applicants
        if (row := outcome_rows.get(a.section.id)) is None or row.status != "granted"
    }
    stored = [] if run is None else run.metrics.get("waiting_order", [])
    order = [uuid.UUID(s) for s in stored if uuid.UUID(s) in short]
    rest = sorted(
        (a for sid, a in short.items() if sid not in set(order)),
        key=lambda a: (_CLASS_ORDER[a.as_section().priority], a.section.position, a.section.name),
    )
    return order + [a.section.id for a in rest]


@dataclass(frozen=True)
class AllocationView:
    """Everything `GET /rounds/{id}/allocation` shows."""

    round: ApplicationRound
    run: AllocationRun | None
    times: Sequence[AllocatedTime]
    outcomes: dict[uuid.UUID, OutcomeRow]
    applicants: dict[uuid.UUID, Applicant]
    hall_names: dict[uuid.UUID, str]
    waiting: list[uuid.UUID]


async def allocation_view(session: AsyncSession, rnd: ApplicationRound) -> AllocationView:
    run = await latest_run(session, rnd.id)
    outcome_rows = await outcomes(session, rnd.id)
    applicants = await applicants_of(session, rnd.id)
    places = await _places(session, rnd.id)
    return AllocationView(
        round=rnd,
        run=run,
        times=await allocated_times(session, rnd.id),
        outcomes=outcome_rows,
        applicants={a.section.id: a for a in applicants},
        hall_names={place.space.space_id: hall_name(place) for place in places.values()},
        waiting=waiting_order(run, outcome_rows, applicants),
    )
