"""Booking's public-activity events into the guide's read model (in the consumer's
transaction, or a rebuild's; never commits).

`activity.published` carries the activity's full state, so applying it is an upsert that counts
the change; `activity.withdrawn` carries it too and is applied as an upsert that empties the
texts and marks it withdrawn (its feed's Last-Modified moves on), so a rebuild that reads only
the latest state (the withdrawal) builds the same withdrawn entry. Both are keyed by the series'
space, so they arrive in order. A club's new name reaches its activities with
`organisation.updated`, and a publication takes the name the read model holds.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.guide import activity_key
from notifications.guide.tables import GuideActivity
from notifications.readmodel.tables import OrganisationRecord
from samspill.events import booking as bk
from samspill.events.base import EventData


async def apply_to_guide(session: AsyncSession, data: EventData, at: datetime) -> None:
    """Apply one event to the guide (events it does not need are ignored)."""
    if isinstance(data, bk.ActivityPublished):
        await _upsert(session, data.activity, at, withdrawn=False)
    elif isinstance(data, bk.ActivityWithdrawn):
        await _upsert(session, data.activity, at, withdrawn=True)
    elif isinstance(data, bk.OrganisationUpdated):
        organisation = data.organisation
        await session.execute(
            update(GuideActivity)
            .where(col(GuideActivity.organisation_id) == organisation.organisation_id)
            .values(organisation_name=organisation.name)
        )


async def _upsert(
    session: AsyncSession, state: bk.PublicActivityState, at: datetime, *, withdrawn: bool
) -> None:
    """A publication counts a change; a withdrawal keeps place, time and names only."""
    # The club's name as the read model knows it: a rename (keyed by the organisation, so on
    # another partition) may be applied before an older publication, in a rebuild too.
    organisation = await session.get(OrganisationRecord, state.organisation_id)
    values = {
        "series_id": state.series_id,
        "organisation_id": state.organisation_id,
        "organisation_name": organisation.name if organisation else state.organisation_name,
        "team_name": state.team_name,
        "site_id": state.site_id,
        "site_name": state.site_name,
        "district": state.district,
        "space_name": state.space_name,
        "weekday": state.weekday,
        "local_start_time": time.fromisoformat(state.local_start_time),
        "local_end_time": time.fromisoformat(state.local_end_time),
        "first_date": state.first_date,
        "last_date": state.last_date,
        "description": "" if withdrawn else state.description,
        "activity": state.activity,
        "activity_key": activity_key(state.activity),
        "age_group": state.age_group,
        "level": state.level,
        "languages": list(state.languages),
        "takes_new_members": state.takes_new_members,
        "how_to_join": "" if withdrawn else state.how_to_join,
        "changes": 0,
        "published_at": at,
        "changed_at": at,
        "withdrawn_at": at if withdrawn else None,
    }
    statement = pg_insert(GuideActivity).values(**values)
    keep = {"series_id", "published_at", "changes"}
    updates: dict[str, Any] = {
        name: statement.excluded[name] for name in values if name not in keep
    }
    if not withdrawn:
        updates["changes"] = col(GuideActivity.changes) + 1
    await session.execute(
        statement.on_conflict_do_update(index_elements=["series_id"], set_=updates)
    )
