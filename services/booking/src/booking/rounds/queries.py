"""Reads of application rounds: one round, a list, their spaces, the rounds a space's evenings
belong to; nothing here writes or commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, time
from typing import Any

from sqlalchemy import ColumnElement, Exists, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.applications.tables import Application
from booking.catalogue import queries as catalogue
from booking.domain.rounds import (
    RESERVING_STATES,
    RoundPeriods,
    RoundStatus,
    RoundView,
    first_reserving,
    parse_minutes,
    series_reserved,
)
from booking.rounds.tables import ApplicationRound, RoundSpace
from samspill.db import any_of
from samspill.errors import NotFound
from samspill.events import facilities as fe
from samspill.intervals import Interval
from samspill.recurrence import local_date


async def get_round(
    session: AsyncSession, round_id: uuid.UUID, *, lock: bool = False, share: bool = False
) -> ApplicationRound:
    """The round (locked for update, or for share, when asked); 404 when unknown."""
    query = select(ApplicationRound).where(col(ApplicationRound.id) == round_id)
    if lock or share:
        query = query.with_for_update(read=share and not lock)
    round_ = (await session.execute(query)).scalars().first()
    if round_ is None:
        raise NotFound(f"Unknown round {round_id}.", f"Ukjent søknadsrunde {round_id}.")
    return round_


async def list_rounds(session: AsyncSession, state: str | None = None) -> list[ApplicationRound]:
    query = select(ApplicationRound).order_by(
        col(ApplicationRound.applications_open).desc(), col(ApplicationRound.name)
    )
    if state is not None:
        query = query.where(col(ApplicationRound.state) == state)
    return list((await session.execute(query)).scalars().all())


async def space_ids_of(
    session: AsyncSession, round_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each round's space ids."""
    query = select(col(RoundSpace.round_id), col(RoundSpace.space_id)).where(
        col(RoundSpace.round_id).in_(list(round_ids))
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = {round_id: [] for round_id in round_ids}
    for round_id, space_id in (await session.execute(query)).all():
        found[round_id].append(space_id)
    return found


async def application_counts(
    session: AsyncSession, round_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Submitted (not withdrawn) applications per round."""
    query = (
        select(col(Application.round_id), func.count())
        .where(col(Application.round_id).in_(list(round_ids)))
        .where(col(Application.status) == "submitted")
        .group_by(col(Application.round_id))
    )
    counts = {round_id: 0 for round_id in round_ids}
    for round_id, count in (await session.execute(query)).all():
        counts[round_id] = int(count)
    return counts


async def spaces_with_sites(
    session: AsyncSession, space_ids: Iterable[uuid.UUID]
) -> list[tuple[uuid.UUID, fe.SpaceState | None, fe.SiteState | None]]:
    """Each space with its read-model state and site (None when the catalogue lacks it)."""
    found = []
    for space_id in space_ids:
        space = await catalogue.get_space(session, space_id)
        site = None if space is None else await catalogue.get_site(session, space.site_id)
        found.append((space_id, space, site))
    return found


def periods_of(round_: ApplicationRound) -> RoundPeriods:
    return RoundPeriods(
        applications_open=round_.applications_open,
        applications_close=round_.applications_close,
        allocation_until=round_.allocation_until,
        results_date=round_.results_date,
        season_first_date=round_.season_first_date,
        season_last_date=round_.season_last_date,
    )


def round_view(round_: ApplicationRound, space_ids: Iterable[uuid.UUID]) -> RoundView:
    return RoundView(
        round_id=str(round_.id),
        name=round_.name,
        status=RoundStatus(round_.state),
        periods=periods_of(round_),
        weekdays=frozenset(round_.weekdays),
        evening_start=parse_minutes(round_.evening_start),
        evening_end=parse_minutes(round_.evening_end),
        space_ids=frozenset(str(space_id) for space_id in space_ids),
    )


def covering(
    space_ids: Iterable[uuid.UUID] | ColumnElement[Any],
    states: Iterable[RoundStatus] | None = None,
) -> ColumnElement[bool]:
    """A round that covers any of `space_ids` (in one of `states`, when given)."""
    spaces = select(col(RoundSpace.round_id)).where(any_of(col(RoundSpace.space_id), space_ids))
    found = col(ApplicationRound.id).in_(spaces)
    if states is None:
        return found
    return and_(found, col(ApplicationRound.state).in_([s.value for s in states]))


def any_reserving(space_ids: Iterable[uuid.UUID] | ColumnElement[Any]) -> Exists:
    """Whether a round that keeps season evenings from direct booking covers any of the
    spaces: when not, `check_not_reserved` has nothing to refuse."""
    return exists().where(covering(space_ids, RESERVING_STATES))


async def rounds_with_spaces(
    session: AsyncSession,
    space_ids: Iterable[uuid.UUID],
    *,
    states: Iterable[RoundStatus] | None = None,
    season_from: date | None = None,
    season_to: date | None = None,
    excluding: uuid.UUID | None = None,
) -> list[RoundView]:
    """The rounds covering any of `space_ids` (in `states`, with a season touching
    `season_from`..`season_to`, other than `excluding`, when given)."""
    query = select(ApplicationRound).where(covering(space_ids, states))
    if season_from is not None:
        query = query.where(col(ApplicationRound.season_last_date) >= season_from)
    if season_to is not None:
        query = query.where(col(ApplicationRound.season_first_date) <= season_to)
    if excluding is not None:
        query = query.where(col(ApplicationRound.id) != excluding)
    rounds = list((await session.execute(query.order_by(col(ApplicationRound.name)))).scalars())
    spaces = await space_ids_of(session, [r.id for r in rounds])
    return [round_view(r, spaces[r.id]) for r in rounds]


async def check_not_reserved(
    session: AsyncSession, space: fe.SpaceState, intervals: Sequence[Interval]
) -> None:
    """RoundReserved (409) when one of `intervals` lies in the season evenings of a round that
    is open, in allocation or handled on the space or one that cannot be used with it."""
    if not intervals:
        return
    rounds = await rounds_with_spaces(
        session, catalogue.conflict_ids(space), states=RESERVING_STATES
    )
    found = first_reserving(rounds, intervals)
    if found is not None:
        round_, evening = found
        raise round_.reserved(evening)


async def check_series_not_reserved(
    session: AsyncSession,
    space: fe.SpaceState,
    weekday: int | None,
    start: time,
    end: time,
    first: date,
    last: date,
) -> None:
    """RoundReserved (409) when any week of the series falls in a reserving round's season
    evenings on the space or its conflict set."""
    if weekday is None:
        return
    rounds = await rounds_with_spaces(
        session,
        catalogue.conflict_ids(space),
        states=RESERVING_STATES,
        season_from=first,
        season_to=last,
    )
    for round_ in rounds:
        day = series_reserved(round_, weekday, start, end, first, last)
        if day is not None:
            raise round_.reserved(round_.evening_on(day))


async def reserved_evenings(
    session: AsyncSession, space_ids: Iterable[uuid.UUID], period: Interval
) -> list[tuple[RoundView, str, Interval]]:
    """(round, space id, evening) for every season evening within `period` that a reserving
    round keeps from direct booking on one of `space_ids`."""
    wanted = {str(space_id) for space_id in space_ids}
    rounds = await rounds_with_spaces(
        session,
        space_ids,
        states=RESERVING_STATES,
        season_from=local_date(period.start),
        season_to=local_date(period.end),
    )
    return [
        (round_, space_id, evening)
        for round_ in rounds
        for evening in round_.evenings_within(period)
        for space_id in sorted(round_.space_ids & wanted)
    ]
