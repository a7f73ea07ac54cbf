"""Publishing a club's series as a public activity, changing it, and making it private.

Every change publishes `activity.published` (or `activity.withdrawn`) with the state the guide
shows, keyed by the series' space like every series event. Cancelling the rest of a series
withdraws it in the same transaction (`withdraw_if_public`); handing it to a team publishes it
again with the team's name (`republish_if_public`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from booking.activities import queries
from booking.activities.schemas import PublicActivityBody
from booking.activities.states import activity_state
from booking.activities.tables import PublicActivity
from booking.domain.activities import (
    check_organisation_level,
    check_still_running,
    normalise_languages,
)
from booking.series.queries import series_for
from booking.series.tables import BookingSeries
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Forbidden, RuleViolation
from samspill.events import booking as be
from samspill.recurrence import local_date


async def publish(
    uow: UnitOfWork,
    principal: Principal,
    series_id: uuid.UUID,
    body: PublicActivityBody,
    now: datetime,
) -> PublicActivity:
    """Publish the series (or change what the guide shows about it)."""
    session = uow.session
    series = await _club_series(uow, principal, series_id)
    assert series.organisation_id is not None  # _club_series refused a resident's series
    check_still_running(series.last_date, local_date(now))
    if not await queries.has_dates_left(session, series.id, now):
        raise RuleViolation(
            "The series has no dates left; only a running series can be a public activity.",
            "Serien har ingen datoer igjen; bare en serie som pågår kan vises som offentlig "
            "aktivitet.",
        )
    languages = normalise_languages(body.languages)
    emails, names = await queries.members_personal(session, series.organisation_id)
    check_organisation_level(body.how_to_join, body.description, emails, names)
    facts: dict[str, Any] = {
        "description": body.description,
        "activity": body.activity,
        "age_group": body.age_group,
        "level": body.level,
        "languages": languages,
        "takes_new_members": body.takes_new_members,
        "how_to_join": body.how_to_join,
        "updated_at": now,
    }
    row = await queries.public_activity(session, series.id, lock=True)
    if row is None:
        row = PublicActivity(series_id=series.id, organisation_id=series.organisation_id, **facts)
        session.add(row)
    else:
        for name, value in facts.items():
            setattr(row, name, value)
    await session.flush()
    state = await activity_state(session, series, row)
    await uow.publish(be.ActivityPublished(activity=state), key=str(series.space_id))
    await uow.commit()
    return row


async def withdraw(uow: UnitOfWork, principal: Principal, series_id: uuid.UUID) -> None:
    """Make the series private again: it leaves the guide. A private series stays private
    (nothing is published): the request asks for a state, which then holds."""
    series = await _club_series(uow, principal, series_id)
    await withdraw_if_public(uow, series)
    await uow.commit()


async def withdraw_if_public(uow: UnitOfWork, series: BookingSeries) -> bool:
    """Take the series out of the guide when it is in it; does not commit."""
    row = await queries.public_activity(uow.session, series.id, lock=True)
    if row is None:
        return False
    state = await activity_state(uow.session, series, row)
    await uow.session.delete(row)
    await uow.session.flush()
    await uow.publish(be.ActivityWithdrawn(activity=state), key=str(series.space_id))
    return True


async def republish_if_public(uow: UnitOfWork, series: BookingSeries) -> None:
    """Tell the guide again what a public series shows (its team changed); does not commit."""
    row = await queries.public_activity(uow.session, series.id)
    if row is not None:
        state = await activity_state(uow.session, series, row)
        await uow.publish(be.ActivityPublished(activity=state), key=str(series.space_id))


async def _club_series(
    uow: UnitOfWork, principal: Principal, series_id: uuid.UUID
) -> BookingSeries:
    """The series, locked, when the caller books for its club: 404 when the caller cannot see
    it, 403 when they see it but do not book for the club, 422 for a resident's own series."""
    series = await series_for(uow.session, principal, series_id)
    if series.organisation_id is None:
        raise RuleViolation(
            "A resident's own series cannot be a public activity; only a club's can.",
            "En privatpersons serie kan ikke vises som offentlig aktivitet, bare et lags.",
        )
    if not principal.books_for(series.organisation_id):
        raise Forbidden(
            "Only the club's administrators and bookers may publish its series.",
            "Bare lagets administratorer og bookere kan publisere seriene.",
        )
    locked = await uow.session.get(
        BookingSeries, series.id, with_for_update=True, populate_existing=True
    )
    assert locked is not None  # read a moment ago; series are never deleted
    return locked
