"""Use cases of a round's allocation: run the solver, lock, force and remove times, accept or
reopen the allocation, and publish it as weekly series with a waiting list and the answers.

Only the municipal admin reaches these (the routes check it). Every change to the allocation
needs the round in allocation; once results are sent every change is refused (409)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from datetime import datetime, time
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.allocation import queries
from booking.allocation.queries import AllocationView, Applicant, RoundInput
from booking.allocation.schemas import (
    AllocationPublic,
    AllocationRunRequest,
    ForcedTime,
    PublishedPublic,
    allocation_public,
)
from booking.allocation.tables import (
    AllocatedOccupancy,
    AllocatedTime,
    AllocationRun,
)
from booking.allocation.tables import SectionOutcome as OutcomeRow
from booking.applications.tables import ApplicationSection
from booking.bookings.queries import Booker, Place
from booking.bookings.use_cases import is_slot_clash
from booking.catalogue import queries as catalogue
from booking.domain import BookerKind, OrganisationCategory
from booking.domain.allocation import (
    AllocationResult,
    Placement,
    Section,
    WeeklyTime,
    allocate,
    allocate_greedy,
    measure,
    placement_errors,
)
from booking.domain.weekly_time import (
    changed_outcome,
    clock,
    minutes,
    time_explanation,
    week_range,
    weekly_text,
)
from booking.rounds.states import changed
from booking.rounds.tables import ApplicationRound
from booking.series import use_cases as series_use_cases
from booking.series.schemas import SeriesCreate
from booking.waiting_list.tables import WaitingEntry
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, RuleViolation
from samspill.events import booking as be
from samspill.pricing import BookerCategory, claimable_categories


def present(view: AllocationView) -> AllocationPublic:
    sections = {sid: (a.section, a.organisation) for sid, a in view.applicants.items()}
    return allocation_public(
        view.round, view.run, view.times, view.outcomes, sections, view.hall_names, view.waiting
    )


async def _answer(session: AsyncSession, round_id: uuid.UUID) -> AllocationPublic:
    rnd = await queries.load_round(session, round_id)
    return present(await queries.allocation_view(session, rnd))


# --- the round's state --------------------------------------------------------------------


def results_sent() -> Conflict:
    return Conflict(
        "The result has been sent; the allocation can no longer be changed.",
        "Resultatet er sendt; tildelingen kan ikke lenger endres.",
    )


def check_allocating(rnd: ApplicationRound) -> None:
    """Changing the allocation needs the round in allocation."""
    if rnd.state == "results_sent":
        raise results_sent()
    if rnd.state != "in_allocation":
        raise Conflict(
            f"Round {rnd.name} is {rnd.state}; the allocation can only be changed while the "
            "round is in allocation.",
            f"Søknadsrunden {rnd.name} har status {rnd.state}; tildelingen kan bare endres mens "
            "runden er til tildeling.",
            state=rnd.state,
        )


async def _move(uow: UnitOfWork, rnd: ApplicationRound, target: str, now: datetime) -> None:
    previous = rnd.state
    rnd.state = target
    rnd.version += 1
    rnd.updated_at = now
    space_ids = await queries.round_space_ids(uow.session, rnd.id)
    await uow.publish(changed(rnd, space_ids, previous), key=str(rnd.id))


# --- running the solver -------------------------------------------------------------------


async def run_allocation(
    uow: UnitOfWork,
    principal: Principal,
    round_id: uuid.UUID,
    body: AllocationRunRequest,
    now: datetime,
) -> AllocationPublic:
    """Solve the round around the pinned times and store the proposal in place of the last."""
    session = uow.session
    rnd = await queries.load_round(session, round_id, for_update=True)
    check_allocating(rnd)
    given = await queries.round_input(session, rnd)
    result = await asyncio.to_thread(_solve, given, body)
    metrics = measure(given.problem, result)
    await session.execute(
        delete(AllocatedTime).where(
            AllocatedTime.round_id == rnd.id,  # type: ignore[arg-type]
            AllocatedTime.pinned.is_(None),  # type: ignore[union-attr]
        )
    )
    await _store(uow, given, [p for p in result.placements if p.pinned is None], now)
    await _store_outcomes(session, given, result)
    session.add(
        AllocationRun(
            round_id=rnd.id,
            method=result.method,
            started_by=principal.person_id,
            started_at=now,
            seconds=result.seconds,
            optimal=result.optimal,
            metrics={**asdict(metrics), "waiting_order": list(result.waiting_order)},
        )
    )
    await uow.commit()
    return await _answer(session, round_id)


def _solve(given: RoundInput, body: AllocationRunRequest) -> AllocationResult:
    if body.method == "greedy":
        return allocate_greedy(given.problem)
    return allocate(given.problem, time_limit_s=body.time_limit_s, workers=2)


def _section(given: RoundInput, section_id: str) -> Section:
    return next(s for s in given.problem.sections if s.section_id == section_id)


def _new_time(given: RoundInput, placement: Placement, now: datetime) -> AllocatedTime:
    section = _section(given, placement.section_id)
    place = given.places[placement.space_id]
    rank = section.halls.index(placement.space_id) + 1 if placement.space_id in section.halls else 0
    preferred = any(p.contains(placement.time) for p in section.preferred)
    explanation, explanation_nb = time_explanation(max(rank, 1), preferred)
    return AllocatedTime(
        round_id=given.round.id,
        section_id=uuid.UUID(placement.section_id),
        space_id=place.space.space_id,
        site_id=place.site.site_id,
        weekday=placement.time.weekday,
        start_minute=placement.time.start,
        end_minute=placement.time.end,
        pinned=placement.pinned,
        hall_rank=max(rank, 1),
        preferred=preferred,
        explanation=explanation,
        explanation_nb=explanation_nb,
        created_at=now,
    )


async def _store(
    uow: UnitOfWork, given: RoundInput, placements: list[Placement], now: datetime
) -> list[AllocatedTime]:
    """Insert the times with their occupancy (space-id order, so clashing inserts wait for
    each other rather than deadlock); 409 when the exclusion constraint finds a clash."""
    session = uow.session
    rows = [_new_time(given, placement, now) for placement in placements]
    occupancy: list[AllocatedOccupancy] = []
    for row in rows:
        place = given.places[str(row.space_id)]
        low, high = week_range(WeeklyTime(row.weekday, row.start_minute, row.end_minute))
        occupancy.extend(
            AllocatedOccupancy(
                allocated_time_id=row.id,
                space_id=space_id,
                round_id=row.round_id,
                own=space_id == row.space_id,
                during=Range(low, high, bounds="[)"),
            )
            for space_id in catalogue.conflict_ids(place.space)
        )
    occupancy.sort(key=lambda o: str(o.space_id))
    try:
        session.add_all(rows)
        await session.flush()
        session.add_all(occupancy)
        await session.flush()
    except DBAPIError as exc:
        if not is_slot_clash(exc):
            raise
        await uow.rollback()
        raise _clash(given, placements) from exc
    return rows


def _clash(given: RoundInput, placements: list[Placement]) -> Conflict:
    if len(placements) == 1:
        en, nb = weekly_text(placements[0].time)
        hall = given.hall_name(placements[0].space_id)
        return Conflict(
            f"{hall} (or a part of it, or the whole hall) is already allocated at {en}; "
            "remove that time first.",
            f"{hall} (eller en del av den, eller hele hallen) er allerede tildelt {nb}; "
            "fjern den tiden først.",
        )
    return Conflict(
        "Two allocated times clash in one hall (or a hall and its part); nothing was stored.",
        "To tildelte tider kolliderer i samme hall (eller en hall og en del av den); "
        "ingenting ble lagret.",
    )


async def _store_outcomes(
    session: AsyncSession, given: RoundInput, result: AllocationResult
) -> None:
    await session.execute(delete(OutcomeRow).where(OutcomeRow.round_id == given.round.id))  # type: ignore[arg-type]
    for section in given.problem.sections:
        outcome = result.outcomes.get(section.section_id)
        if outcome is None:
            continue
        session.add(
            OutcomeRow(
                section_id=uuid.UUID(section.section_id),
                round_id=given.round.id,
                status=outcome.status,
                granted_times=len(outcome.placements),
                requested_times=section.times_per_week,
                explanation=outcome.explanation,
                explanation_nb=outcome.explanation_nb,
            )
        )


# --- staff's changes ----------------------------------------------------------------------


async def pin(
    uow: UnitOfWork, round_id: uuid.UUID, time_id: uuid.UUID, locked: bool
) -> AllocationPublic:
    """Lock a time through re-runs, or unlock it (a forced time becomes a proposal)."""
    session = uow.session
    rnd = await queries.load_round(session, round_id, for_update=True)
    check_allocating(rnd)
    row = await queries.allocated_time(session, round_id, time_id)
    if locked:
        row.pinned = row.pinned or "locked"
    else:
        row.pinned = None
    await uow.commit()
    return await _answer(session, round_id)


async def remove_time(uow: UnitOfWork, round_id: uuid.UUID, time_id: uuid.UUID) -> AllocationPublic:
    session = uow.session
    rnd = await queries.load_round(session, round_id, for_update=True)
    check_allocating(rnd)
    row = await queries.allocated_time(session, round_id, time_id)
    section_id = row.section_id
    await session.delete(row)
    await session.flush()
    await _recompute(session, rnd, section_id)
    await uow.commit()
    return await _answer(session, round_id)


async def force_time(
    uow: UnitOfWork, round_id: uuid.UUID, body: ForcedTime, now: datetime
) -> AllocationPublic:
    """Place a time by hand: 422 when it breaks a hard rule of the section or the hall, 409
    when the hall (or a part of it, or the whole hall) is already allocated then."""
    session = uow.session
    rnd = await queries.load_round(session, round_id, for_update=True)
    check_allocating(rnd)
    given = await queries.round_input(session, rnd)
    if str(body.section_id) not in given.applicants:
        raise RuleViolation(
            f"Section {body.section_id} is not in a submitted application to this round.",
            f"Gruppen {body.section_id} er ikke i en innsendt søknad til denne runden.",
        )
    if str(body.space_id) not in given.places:
        raise RuleViolation(
            f"Space {body.space_id} is not in this round.",
            f"Lokalet {body.space_id} er ikke med i denne runden.",
        )
    try:
        weekly = WeeklyTime(body.weekday, minutes(body.start), minutes(body.end))
    except ValueError as exc:
        raise RuleViolation(
            "The end must be after the start, on the same day.",
            "Slutten må være etter starten, samme dag.",
        ) from exc
    placement = Placement(str(body.section_id), str(body.space_id), weekly, "forced")
    own = [
        queries.placement(row)
        for row in await queries.allocated_times(session, round_id)
        if row.section_id == body.section_id
    ]
    errors = placement_errors(given.problem, placement, own)
    if errors:
        raise RuleViolation(
            " ".join(en for en, _ in errors),
            " ".join(nb for _, nb in errors),
            errors=[{"detail": en, "detail_nb": nb} for en, nb in errors],
        )
    await _store(uow, given, [placement], now)
    await _recompute(session, rnd, body.section_id)
    await uow.commit()
    return await _answer(session, round_id)


async def _recompute(session: AsyncSession, rnd: ApplicationRound, section_id: uuid.UUID) -> None:
    """The section's outcome from the times it now holds, after staff changed them."""
    section = await session.get(ApplicationSection, section_id)
    if section is None:
        return
    granted = [
        WeeklyTime(row.weekday, row.start_minute, row.end_minute)
        for row in await queries.allocated_times(session, rnd.id)
        if row.section_id == section_id
    ]
    status, explanation, explanation_nb = changed_outcome(granted, section.times_per_week)
    row = await session.get(OutcomeRow, section_id)
    if row is None:
        row = OutcomeRow(
            section_id=section_id,
            round_id=rnd.id,
            status=status,
            granted_times=0,
            requested_times=section.times_per_week,
            explanation="",
            explanation_nb="",
        )
        session.add(row)
    row.status = status
    row.granted_times = len(granted)
    row.requested_times = section.times_per_week
    row.explanation, row.explanation_nb = explanation, explanation_nb


# --- accepting and reopening --------------------------------------------------------------


async def accept(uow: UnitOfWork, round_id: uuid.UUID, now: datetime) -> AllocationPublic:
    """The allocation is handled: in allocation, with a run, → handled."""
    session = uow.session
    rnd = await queries.load_round(session, round_id, for_update=True)
    check_allocating(rnd)
    if await queries.latest_run(session, round_id) is None:
        raise Conflict(
            "Run the allocation before accepting it.",
            "Kjør tildelingen før du godkjenner den.",
        )
    await _move(uow, rnd, "handled", now)
    await uow.commit()
    return await _answer(session, round_id)


async def reopen(uow: UnitOfWork, round_id: uuid.UUID, now: datetime) -> AllocationPublic:
    """Back to allocation from handled, before the results are sent."""
    session = uow.session
    rnd = await queries.load_round(session, round_id, for_update=True)
    if rnd.state == "results_sent":
        raise results_sent()
    if rnd.state != "handled":
        raise Conflict(
            f"Only a handled allocation can be reopened; round {rnd.name} is {rnd.state}.",
            f"Bare en behandlet tildeling kan åpnes igjen; søknadsrunden {rnd.name} har "
            f"status {rnd.state}.",
            state=rnd.state,
        )
    await _move(uow, rnd, "in_allocation", now)
    await uow.commit()
    return await _answer(session, round_id)


# --- publishing ---------------------------------------------------------------------------


async def publish(uow: UnitOfWork, round_id: uuid.UUID, now: datetime) -> PublishedPublic:
    """Each allocated time becomes a confirmed weekly series over the season; sections not
    fully granted go on the waiting list; every applicant is told its result."""
    session = uow.session
    rnd = await queries.load_round(session, round_id, for_update=True)
    if rnd.state == "results_sent":
        raise Conflict(
            "The result has already been sent.", "Resultatet er allerede sendt.", state=rnd.state
        )
    if rnd.state != "handled":
        raise Conflict(
            "Publishing before the allocation is handled: accept the allocation first.",
            "Kan ikke publisere før tildelingen er behandlet: godkjenn tildelingen først.",
            state=rnd.state,
        )
    given = await queries.round_input(session, rnd)
    rows = await queries.allocated_times(session, round_id)
    series_ids = []
    for row in rows:
        applicant = given.applicants.get(str(row.section_id))
        if applicant is None:
            continue
        row.series_id = await _book_time(uow, given, applicant, row, now)
        series_ids.append(row.series_id)
    view = await queries.allocation_view(session, rnd)
    positions = await _waiting_list(session, rnd, view, now)
    answered = []
    for application_id, result in _results(given, view, rows, positions).items():
        await uow.publish(
            be.ApplicationAnswered(application=result), key=str(result.organisation_id)
        )
        answered.append(application_id)
    await _move(uow, rnd, "results_sent", now)
    await uow.commit()
    return PublishedPublic(
        round_id=rnd.id,
        state="results_sent",
        series_ids=series_ids,
        waiting=view.waiting,
        answered=answered,
    )


def audience_for(age_group: str, category: str) -> str:
    """The price category a round's series is booked in: children and youth where the club
    may claim it, else its first claimable category."""
    try:
        allowed = claimable_categories(OrganisationCategory(category))
    except ValueError:
        return BookerCategory.NON_PROFIT.value
    if age_group in ("children", "youth") and BookerCategory.CHILDREN_YOUTH in allowed:
        return BookerCategory.CHILDREN_YOUTH.value
    if BookerCategory.NON_PROFIT in allowed:
        return BookerCategory.NON_PROFIT.value
    return sorted(allowed)[0].value


def wall(minute: int) -> time:
    return time(minute // 60 % 24, minute % 60)


async def _book_time(
    uow: UnitOfWork, given: RoundInput, applicant: Applicant, row: AllocatedTime, now: datetime
) -> uuid.UUID:
    place = given.places[str(row.space_id)]
    return await book_round_series(
        uow,
        place,
        applicant,
        WeeklyTime(row.weekday, row.start_minute, row.end_minute),
        (given.round.season_first_date, given.round.season_last_date),
        given.round.id,
        now,
    )


async def book_round_series(
    uow: UnitOfWork,
    place: Place,
    applicant: Applicant,
    weekly: WeeklyTime,
    dates: tuple[Any, Any],
    round_id: uuid.UUID,
    now: datetime,
    *,
    refuse_taken: bool = False,
) -> uuid.UUID:
    """A confirmed weekly series for the section's club, made by the round (closures and
    public holidays skipped with reasons); with `refuse_taken` a date taken by another booking
    refuses the whole series (409) instead of being skipped."""
    organisation = applicant.organisation
    booker = Booker(BookerKind.ORGANISATION, organisation, applicant.application.submitted_by)
    body = SeriesCreate(
        space_id=place.space.space_id,
        organisation_id=organisation.id,
        activity=applicant.section.activity,
        audience=audience_for(applicant.section.age_group, organisation.category),
        participants=min(applicant.section.group_size, place.space.capacity),
        weekday=weekly.weekday,
        start_time=wall(weekly.start),
        end_time=wall(weekly.end),
        first_date=dates[0],
        last_date=dates[1],
    )
    plan = await series_use_cases.plan_weekly(uow.session, place, booker, body, now)
    if refuse_taken and any(s.reason.value == "conflict" for s in plan.skipped):
        en, nb = weekly_text(weekly)
        raise Conflict(
            f"{place.space.name} {en} has been taken meanwhile.",
            f"{place.space.name} {nb} er tatt i mellomtiden.",
        )
    booked = await series_use_cases.book_planned(
        uow,
        place,
        booker,
        body,
        plan,
        now,
        round_id=round_id,
        team_id=applicant.section.team_id,
        confirmed=True,
    )
    return booked.series.id


async def _waiting_list(
    session: AsyncSession, rnd: ApplicationRound, view: AllocationView, now: datetime
) -> dict[uuid.UUID, int]:
    positions = {}
    for position, section_id in enumerate(view.waiting, start=1):
        applicant = view.applicants[section_id]
        outcome = view.outcomes.get(section_id)
        granted = 0 if outcome is None else outcome.granted_times
        session.add(
            WaitingEntry(
                round_id=rnd.id,
                section_id=section_id,
                organisation_id=applicant.organisation.id,
                position=position,
                times_wanted=max(applicant.section.times_per_week - granted, 1),
                status="waiting",
                created_at=now,
            )
        )
        positions[section_id] = position
    return positions


def _results(
    given: RoundInput,
    view: AllocationView,
    rows: list[AllocatedTime] | Any,
    positions: dict[uuid.UUID, int],
) -> dict[uuid.UUID, be.ApplicationResult]:
    """One result per submitted application, each section with its times and explanation."""
    by_application: dict[uuid.UUID, list[be.SectionResult]] = {}
    heads: dict[uuid.UUID, Applicant] = {}
    for section_id, applicant in sorted(
        view.applicants.items(), key=lambda item: item[1].section.position
    ):
        outcome = view.outcomes.get(section_id)
        granted = [_time_state(given, row) for row in rows if row.section_id == section_id]
        status: Any = outcome.status if outcome is not None else "refused"
        explanation = (
            (outcome.explanation, outcome.explanation_nb)
            if outcome
            else (
                "The section was not part of the allocation.",
                "Gruppen var ikke med i tildelingen.",
            )
        )
        result = be.SectionResult(
            section_id=section_id,
            name=applicant.section.name,
            status=status,
            granted=granted,
            explanation=explanation[0],
            explanation_nb=explanation[1],
            waiting_position=positions.get(section_id),
        )
        by_application.setdefault(applicant.application.id, []).append(result)
        heads[applicant.application.id] = applicant
    results = {}
    for application_id, sections in by_application.items():
        head = heads[application_id]
        statuses = {s.status for s in sections}
        outcome_of: Any = statuses.pop() if len(statuses) == 1 else "partly"
        results[application_id] = be.ApplicationResult(
            application_id=application_id,
            round_id=given.round.id,
            round_name=given.round.name,
            organisation_id=head.organisation.id,
            organisation_name=head.organisation.name,
            outcome=outcome_of,
            season_first_date=given.round.season_first_date,
            season_last_date=given.round.season_last_date,
            sections=sections,
        )
    return results


def _time_state(given: RoundInput, row: AllocatedTime) -> be.AllocatedTimeState:
    place = given.places.get(str(row.space_id))
    return be.AllocatedTimeState(
        space_id=row.space_id,
        space_name="" if place is None else place.space.name,
        site_name="" if place is None else place.site.name,
        weekday=row.weekday,
        local_start_time=clock(row.start_minute),
        local_end_time=clock(row.end_minute),
        series_id=row.series_id,
    )
