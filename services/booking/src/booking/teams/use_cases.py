"""A club's teams: create, change and remove them, and hand a series to one.

Whatever changes the team name a series shows (handing it over, taking it back, renaming or
removing its team) publishes `SeriesHandedToTeam` with the series' state, keyed by its space
like every series event, so calendars show the team beside the club. Removing a team takes
its series back to the club first (each told by its event) rather than refusing: a club can
tidy its teams without first visiting every series.

Locks are taken team first, then series, in every use case, so two of them cannot deadlock.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from booking.activities import use_cases as activities
from booking.bookings.queries import load_place
from booking.memberships.queries import administered
from booking.organisations.tables import Organisation
from booking.series.queries import series_for
from booking.series.states import stored_series_state
from booking.series.tables import BookingSeries
from booking.teams import queries
from booking.teams.schemas import TeamChange, TeamCreate
from booking.teams.tables import Team
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, Forbidden, RuleViolation
from samspill.events import booking as be


async def create_team(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    body: TeamCreate,
    now: datetime,
) -> Team:
    session = uow.session
    organisation = await administered(session, principal, organisation_id)
    if await queries.name_taken(session, organisation.id, body.name):
        raise _name_taken(body.name, organisation)
    team = Team(
        organisation_id=organisation.id,
        name=body.name,
        contact=body.contact.model_dump(mode="json"),
        created_at=now,
    )
    session.add(team)
    await _flush_named(uow, body.name, organisation)
    await uow.commit()
    return team


async def change_team(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    team_id: uuid.UUID,
    body: TeamChange,
) -> Team:
    """Rename the team or change its contact; a new name reaches its series' calendars."""
    session = uow.session
    organisation = await administered(session, principal, organisation_id)
    team = await queries.team_of(session, organisation.id, team_id, lock=True)
    renamed = body.name is not None and body.name != team.name
    if body.name is not None and renamed:
        if await queries.name_taken(session, organisation.id, body.name, but=team.id):
            raise _name_taken(body.name, organisation)
        team.name = body.name
    if body.contact is not None:
        team.contact = body.contact.model_dump(mode="json")
    await _flush_named(uow, team.name, organisation)
    if renamed:
        for series in await queries.series_of_team(session, team.id):
            await _tell_team_changed(uow, series)
    await uow.commit()
    return team


async def remove_team(
    uow: UnitOfWork, principal: Principal, organisation_id: uuid.UUID, team_id: uuid.UUID
) -> None:
    """Remove the team; the series handed to it go back to the club first."""
    session = uow.session
    organisation = await administered(session, principal, organisation_id)
    team = await queries.team_of(session, organisation.id, team_id, lock=True)
    for series in await queries.series_of_team(session, team.id):
        series.team_id = None
        await session.flush()
        await _tell_team_changed(uow, series)
    await session.delete(team)
    await session.flush()
    await uow.commit()


async def hand_series_to_team(
    uow: UnitOfWork, principal: Principal, series_id: uuid.UUID, team_id: uuid.UUID | None
) -> BookingSeries:
    """Hand the series to one of its club's teams (None: back to the club). Handing it to the
    team it already has changes nothing and publishes nothing."""
    session = uow.session
    series = await series_for(session, principal, series_id)
    if series.organisation_id is None:
        raise RuleViolation(
            "A resident's own series belongs to no club and cannot be handed to a team.",
            "En privatpersons serie hører ikke til noe lag og kan ikke gis til en gruppe.",
        )
    if not principal.books_for(series.organisation_id):
        raise Forbidden(
            "Only the club's administrators and bookers may hand its series to a team.",
            "Bare lagets administratorer og bookere kan gi seriene til en gruppe.",
        )
    if team_id is not None:
        team = await session.get(Team, team_id, with_for_update=True)
        if team is None or team.organisation_id != series.organisation_id:
            raise RuleViolation(
                f"Team {team_id} is not one of the club's teams.",
                f"Gruppen {team_id} er ikke en av lagets grupper.",
                field="team_id",
            )
    locked = await session.get(
        BookingSeries, series.id, with_for_update=True, populate_existing=True
    )
    assert locked is not None  # it was read a moment ago; series are never deleted
    if locked.team_id != team_id:
        locked.team_id = team_id
        await session.flush()
        await _tell_team_changed(uow, locked)
    await uow.commit()
    return locked


async def _tell_team_changed(uow: UnitOfWork, series: BookingSeries) -> None:
    place = await load_place(uow.session, series.space_id)
    state = await stored_series_state(uow.session, place, series)
    await uow.publish(be.SeriesHandedToTeam(series=state), key=str(series.space_id))
    await activities.republish_if_public(uow, series)


async def _flush_named(uow: UnitOfWork, name: str, organisation: Organisation) -> None:
    """Flush, answering a name taken by a concurrent request as the check before would."""
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        await uow.rollback()
        raise _name_taken(name, organisation) from exc


def _name_taken(name: str, organisation: Organisation) -> Conflict:
    return Conflict(
        f"{organisation.name} already has a team named {name!r}.",
        f"{organisation.name} har allerede en gruppe som heter «{name}».",
    )
