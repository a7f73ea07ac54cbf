"""Use cases of application rounds: create, change, close, and the moves due by date.

Every create, change and state move publishes `round.changed` (keyed by the round id) in the
same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue import queries as catalogue
from booking.domain.allocation import Priorities
from booking.domain.rounds import (
    RoundPeriods,
    RoundStatus,
    check_editable,
    check_evening,
    check_periods,
    check_weekdays,
    due_moves,
    due_status,
    transition_round,
)
from booking.rounds import queries
from booking.rounds.schemas import RoundChange, RoundCreate
from booking.rounds.states import changed
from booking.rounds.tables import ApplicationRound, RoundSpace
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, RuleViolation
from samspill.recurrence import local_date

# Advisory lock serialising the rounds' space-and-season check (an arbitrary, stable key).
_ROUNDS_LOCK = "samspill.booking.rounds"

_PERIOD_FIELDS = (
    "applications_open",
    "applications_close",
    "allocation_until",
    "results_date",
    "season_first_date",
    "season_last_date",
)


@dataclass(frozen=True)
class RoundWithSpaces:
    round: ApplicationRound
    space_ids: list[uuid.UUID]


async def create_round(
    uow: UnitOfWork, principal: Principal, body: RoundCreate, now: datetime
) -> RoundWithSpaces:
    session = uow.session
    periods = RoundPeriods(**{name: getattr(body, name) for name in _PERIOD_FIELDS})
    _check_shape(periods, body.weekdays, body.evening_start, body.evening_end)
    space_ids = _distinct(body.space_ids)
    await _lock_rounds(session)
    await _check_spaces(session, space_ids, periods, None)
    round_ = ApplicationRound(
        name=body.name,
        **{name: getattr(body, name) for name in _PERIOD_FIELDS},
        weekdays=sorted(body.weekdays),
        evening_start=body.evening_start,
        evening_end=body.evening_end,
        state=due_status(periods, local_date(now)).value,
        priorities=_priorities(body.priorities.model_dump() if body.priorities else None),
        created_by=principal.person_id,
        created_at=now,
        updated_at=now,
    )
    session.add(round_)
    await session.flush()
    session.add_all(RoundSpace(round_id=round_.id, space_id=space_id) for space_id in space_ids)
    await uow.publish(changed(round_, space_ids, None), key=str(round_.id))
    await uow.commit()
    return RoundWithSpaces(round_, space_ids)


async def change_round(
    uow: UnitOfWork, round_id: uuid.UUID, body: RoundChange, now: datetime
) -> RoundWithSpaces:
    """Change an upcoming or open round; its state follows the new dates (an open round whose
    opening is moved later is upcoming again, one whose closing is past goes to allocation)."""
    session = uow.session
    round_ = await queries.get_round(session, round_id, lock=True)
    check_editable(RoundStatus(round_.state))
    given = body.model_dump(exclude_unset=True)
    values = {name: given.get(name) or getattr(round_, name) for name in _PERIOD_FIELDS}
    periods = RoundPeriods(**values)
    weekdays = body.weekdays if body.weekdays is not None else round_.weekdays
    evening_start = body.evening_start or round_.evening_start
    evening_end = body.evening_end or round_.evening_end
    _check_shape(periods, weekdays, evening_start, evening_end)
    current = (await queries.space_ids_of(session, [round_id]))[round_id]
    space_ids = _distinct(body.space_ids) if body.space_ids is not None else current
    await _lock_rounds(session)
    await _check_spaces(session, space_ids, periods, round_.id)
    for name, value in values.items():
        setattr(round_, name, value)
    if body.name is not None:
        round_.name = body.name
    round_.weekdays = sorted(weekdays)
    round_.evening_start, round_.evening_end = evening_start, evening_end
    if body.priorities is not None:
        round_.priorities = _priorities(body.priorities.model_dump())
    if set(space_ids) != set(current):
        await session.execute(delete(RoundSpace).where(col(RoundSpace.round_id) == round_.id))
        session.add_all(RoundSpace(round_id=round_.id, space_id=s) for s in space_ids)
    previous = round_.state
    due = due_status(periods, local_date(now))
    if due.value != previous:
        round_.state = transition_round(RoundStatus(previous), due).value
    round_.version += 1
    round_.updated_at = now
    moved = previous if round_.state != previous else None
    await uow.publish(changed(round_, space_ids, moved), key=str(round_.id))
    await uow.commit()
    return RoundWithSpaces(round_, space_ids)


async def close_round(uow: UnitOfWork, round_id: uuid.UUID, now: datetime) -> RoundWithSpaces:
    """Staff end the application period now: open → in allocation."""
    session = uow.session
    round_ = await queries.get_round(session, round_id, lock=True)
    status = RoundStatus(round_.state)
    if status is not RoundStatus.OPEN:
        raise Conflict(
            f"Only an open round can be closed for applications (it is {status.value}).",
            f"Bare en åpen runde kan stenges for søknader (den er {status.value}).",
            state=status.value,
        )
    space_ids = (await queries.space_ids_of(session, [round_id]))[round_id]
    await _move(uow, round_, space_ids, RoundStatus.IN_ALLOCATION, now)
    await uow.commit()
    return RoundWithSpaces(round_, space_ids)


async def move_due_rounds(uow: UnitOfWork, now: datetime, batch_size: int) -> list[uuid.UUID]:
    """One batch: rounds whose dates say they open or close today move on (upcoming → open →
    in allocation), each move with its event; then commit. Rounds are claimed with `FOR UPDATE
    SKIP LOCKED`, so replicas never take the same one and a second run finds nothing to do."""
    session = uow.session
    today = local_date(now)
    query = (
        select(ApplicationRound)
        .where(
            col(ApplicationRound.state).in_([RoundStatus.UPCOMING.value, RoundStatus.OPEN.value]),
            (col(ApplicationRound.applications_open) <= today)
            & (
                (col(ApplicationRound.state) == RoundStatus.UPCOMING.value)
                | (col(ApplicationRound.applications_close) < today)
            ),
        )
        .order_by(col(ApplicationRound.applications_open))
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    rounds = list((await session.execute(query)).scalars().all())
    spaces = await queries.space_ids_of(session, [r.id for r in rounds])
    moved = []
    for round_ in rounds:
        for target in due_moves(RoundStatus(round_.state), queries.periods_of(round_), today):
            await _move(uow, round_, spaces[round_.id], target, now)
        moved.append(round_.id)
    await uow.commit()
    return moved


async def _move(
    uow: UnitOfWork,
    round_: ApplicationRound,
    space_ids: list[uuid.UUID],
    target: RoundStatus,
    now: datetime,
) -> None:
    previous = round_.state
    round_.state = transition_round(RoundStatus(previous), target).value
    round_.version += 1
    round_.updated_at = now
    await uow.publish(changed(round_, space_ids, previous), key=str(round_.id))


def _check_shape(
    periods: RoundPeriods, weekdays: list[int], evening_start: str, evening_end: str
) -> None:
    check_periods(periods)
    check_weekdays(weekdays)
    check_evening(evening_start, evening_end)


def _distinct(space_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(space_ids))


def _priorities(given: dict[str, Any] | None) -> dict[str, Any]:
    defaults = Priorities()
    return {
        name: (given or {}).get(name, getattr(defaults, name))
        for name in Priorities.__dataclass_fields__
    }


async def _lock_rounds(session: AsyncSession) -> None:
    """Serialise the space-and-season check of concurrent creates and changes."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(_ROUNDS_LOCK, 0)))
    )


async def _check_spaces(
    session: AsyncSession,
    space_ids: list[uuid.UUID],
    periods: RoundPeriods,
    excluding: uuid.UUID | None,
) -> None:
    """Every space is known and in use (422), and none of them (nor a space that cannot be used
    with it) is in another round whose season overlaps (409)."""
    conflict_set: set[uuid.UUID] = set()
    for space_id in space_ids:
        space = await catalogue.get_space(session, space_id)
        if space is None or space.retired:
            raise RuleViolation(
                f"Unknown space {space_id}.", f"Ukjent lokale {space_id}.", field="space_ids"
            )
        conflict_set.update(catalogue.conflict_ids(space))
    others = await queries.rounds_with_spaces(
        session,
        conflict_set,
        season_from=periods.season_first_date,
        season_to=periods.season_last_date,
        excluding=excluding,
    )
    if others:
        other = others[0]
        raise Conflict(
            f"A space is already in the round {other.name!r}, whose season "
            f"({_season(other.periods)}) overlaps this one.",
            f"Et lokale er allerede med i runden «{other.name}», og sesongen der "
            f"({_season(other.periods)}) overlapper denne.",
            round={"round_id": other.round_id, "name": other.name},
        )


def _season(periods: RoundPeriods) -> str:
    first: date = periods.season_first_date
    return f"{first}–{periods.season_last_date}"
