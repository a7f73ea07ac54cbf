"""Reading a club's teams, with how many series each has been handed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.series.tables import BookingSeries
from booking.teams.tables import Team
from samspill.errors import NotFound


def unknown_team(team_id: uuid.UUID) -> NotFound:
    return NotFound(f"Unknown team {team_id}.", f"Ukjent gruppe {team_id}.")


async def teams_of(session: AsyncSession, organisation_id: uuid.UUID) -> Sequence[Team]:
    query = (
        select(Team)
        .where(col(Team.organisation_id) == organisation_id)
        .order_by(func.lower(col(Team.name)))
    )
    return (await session.execute(query)).scalars().all()


async def team_of(
    session: AsyncSession, organisation_id: uuid.UUID, team_id: uuid.UUID, *, lock: bool = False
) -> Team:
    """The club's team (locked for change with `lock`); another club's is not found."""
    team = await session.get(Team, team_id, with_for_update=lock)
    if team is None or team.organisation_id != organisation_id:
        raise unknown_team(team_id)
    return team


async def series_counts(
    session: AsyncSession, team_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many series are handed to each team, in one query."""
    if not team_ids:
        return {}
    query = (
        select(col(BookingSeries.team_id), func.count())
        .where(col(BookingSeries.team_id).in_(team_ids))
        .group_by(col(BookingSeries.team_id))
    )
    rows = (await session.execute(query)).all()
    return {team_id: count for team_id, count in rows if team_id is not None}


async def name_taken(
    session: AsyncSession, organisation_id: uuid.UUID, name: str, but: uuid.UUID | None = None
) -> bool:
    """Whether another team of the club has the name (letter case aside)."""
    query = select(col(Team.id)).where(
        col(Team.organisation_id) == organisation_id,
        func.lower(col(Team.name)) == name.lower(),
    )
    if but is not None:
        query = query.where(col(Team.id) != but)
    return (await session.execute(query.limit(1))).first() is not None


async def series_of_team(session: AsyncSession, team_id: uuid.UUID) -> Sequence[BookingSeries]:
    """The series handed to the team, locked for change."""
    query = (
        select(BookingSeries)
        .where(col(BookingSeries.team_id) == team_id)
        .order_by(col(BookingSeries.id))
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()
