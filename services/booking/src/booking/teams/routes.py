"""`/organisations/{id}/teams` (a club's teams) and `/booking-series/{id}/team` (handing a
series to one of them)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from booking.bookings.routes import answer
from booking.dependencies import NowDep
from booking.organisations import queries as organisations
from booking.series import queries as series_queries
from booking.series.schemas import SeriesPublic, SkippedPublic, series_public
from booking.teams import queries, use_cases
from booking.teams.schemas import SeriesTeam, TeamChange, TeamCreate, TeamPublic, team_public
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(tags=["teams"])

TEAMS = "/organisations/{organisation_id}/teams"


@router.get(TEAMS)
async def list_teams(
    organisation_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[TeamPublic]:
    """The club's teams, for its members and municipal admins."""
    organisation = await organisations.get(uow.session, principal, organisation_id)
    teams = await queries.teams_of(uow.session, organisation.id)
    counts = await queries.series_counts(uow.session, [team.id for team in teams])
    return [team_public(team, counts.get(team.id, 0)) for team in teams]


@router.post(TEAMS, status_code=201)
async def create_team(
    organisation_id: uuid.UUID,
    body: TeamCreate,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
) -> TeamPublic:
    """Administrators add a team; its name is unique in the club (409)."""
    team = await use_cases.create_team(uow, principal, organisation_id, body, now)
    return team_public(team, 0)


@router.get(f"{TEAMS}/{{team_id}}")
async def get_team(
    organisation_id: uuid.UUID, team_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> TeamPublic:
    organisation = await organisations.get(uow.session, principal, organisation_id)
    team = await queries.team_of(uow.session, organisation.id, team_id)
    counts = await queries.series_counts(uow.session, [team.id])
    return team_public(team, counts.get(team.id, 0))


@router.patch(f"{TEAMS}/{{team_id}}")
async def change_team(
    organisation_id: uuid.UUID,
    team_id: uuid.UUID,
    body: TeamChange,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
) -> TeamPublic:
    """Administrators rename a team or change its contact; a new name reaches the calendars."""
    team = await use_cases.change_team(uow, principal, organisation_id, team_id, body)
    counts = await queries.series_counts(uow.session, [team.id])
    return team_public(team, counts.get(team.id, 0))


@router.delete(f"{TEAMS}/{{team_id}}", status_code=204)
async def remove_team(
    organisation_id: uuid.UUID, team_id: uuid.UUID, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> Response:
    """Administrators remove a team; the series handed to it go back to the club."""
    await use_cases.remove_team(uow, principal, organisation_id, team_id)
    return Response(status_code=204)


@router.put("/booking-series/{series_id}/team")
async def hand_series_to_team(
    series_id: uuid.UUID, body: SeriesTeam, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> SeriesPublic:
    """Hand the club's series to one of its teams, or take it back (`team_id` null); its
    bookings then show the team's name beside the club's (`team_name`)."""
    series = await use_cases.hand_series_to_team(uow, principal, series_id, body.team_id)
    occurrences = await series_queries.occurrences(uow.session, series)
    created = [await answer(uow.session, booking) for booking in occurrences]
    skipped = [SkippedPublic.model_validate(s) for s in series.skipped]
    return series_public(series, created, skipped)
