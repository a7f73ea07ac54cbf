"""Publishing the current state of every aggregate booking owns again: the backfill of
`samspill.booking.state` (`python -m booking publish-states`).

The state topic holds the aggregates changed since it was created; an installation that had
data before it (or a state topic recreated after a loss) needs every other aggregate's state
put there once. Each aggregate's current state event is built from its row by the feature's
own state mapper and published through the outbox, so the relay sends it to both topics, under
the aggregate's usual ordering key (its states stay in order with its next changes) and with
the version it has, unchanged. The events are marked `republished` (`Envelope.republished`):
consumers apply them as the full-state upserts they are, and notifications queues no message
for them.

Kind by kind, in pages of `batch_size` rows in key order (keyset pagination), one transaction
per page, its rows read `FOR SHARE` so a change made meanwhile is queued after the page's state
or before it, never overtaken by it. Running it again, whole or after it stopped half-way,
publishes the same states once more, which changes nothing anywhere: a consumer applies a state
it already holds (bookings and loans by version, the others as the same full state).

Not published, since booking no longer holds them: aggregates that ended (a membership
removed, an erased person's profile: their tombstones are what the topic would keep of them
anyway) and withdrawn public activities (the row goes when an activity is withdrawn).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.activities.states import activity_state
from booking.bookings.queries import load_place
from booking.bookings.states import booking_state
from booking.bookings.states import current_event as booking_event
from booking.config import BookingSettings
from booking.domain import MemberRole
from booking.lending.queries import load_details
from booking.lending.states import current_event as loan_event
from booking.memberships.states import membership_state
from booking.organisations.states import state_of
from booking.people.states import profile_state
from booking.rounds.queries import space_ids_of
from booking.rounds.states import changed
from booking.series.states import stored_series_state
from booking.state_backfill import queries
from booking.state_backfill.queries import BATCH_SIZE
from booking.tables import messaging
from samspill.db import UnitOfWork, create_engine, session_factory
from samspill.events import booking as be
from samspill.outbox import outbox_session_info
from samspill.privacy import is_erased_marker

log = structlog.get_logger("booking.state_backfill")

EVENT_SOURCE = "/samspill/booking"

Page = Callable[[AsyncSession, Any, int], Awaitable[list[Any]]]
Publish = Callable[[UnitOfWork, list[Any]], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    """One kind of aggregate: how to read a page of it, the key a page ends at, and how to
    publish the states of a page."""

    name: str
    page: Page
    last_key: Callable[[Any], Any]
    publish: Publish


async def _organisations(uow: UnitOfWork, rows: list[Any]) -> None:
    for organisation in rows:
        event = be.OrganisationUpdated(organisation=state_of(organisation))
        await uow.publish(event, key=str(organisation.id), republished=True)


async def _memberships(uow: UnitOfWork, rows: list[Any]) -> None:
    for member in rows:
        state = membership_state(member.organisation_id, member.person_id, MemberRole(member.role))
        event = be.MembershipChanged(membership=state)
        await uow.publish(event, key=str(member.organisation_id), republished=True)


async def _profiles(uow: UnitOfWork, rows: list[Any]) -> None:
    for profile in rows:
        event = be.ProfileChanged(profile=profile_state(profile))
        await uow.publish(event, key=profile.person_id, republished=True)


async def _bookings(uow: UnitOfWork, rows: list[Any]) -> None:
    for booking in rows:
        event = booking_event(booking, await booking_state(uow.session, booking))
        await uow.publish(event, key=str(booking.space_id), republished=True)


async def _series(uow: UnitOfWork, rows: list[Any]) -> None:
    for one in rows:
        place = await load_place(uow.session, one.space_id)
        state = await stored_series_state(uow.session, place, one)
        anonymised = one.organisation_id is None and is_erased_marker(one.booker_sub)
        event = be.SeriesAnonymised(series=state) if anonymised else be.SeriesCreated(series=state)
        await uow.publish(event, key=str(one.space_id), republished=True)


async def _hand_overs(uow: UnitOfWork, rows: list[Any]) -> None:
    for one in rows:
        place = await load_place(uow.session, one.space_id)
        state = await stored_series_state(uow.session, place, one)
        event = be.SeriesHandedToTeam(series=state)
        await uow.publish(event, key=str(one.space_id), republished=True)


async def _activities(uow: UnitOfWork, rows: list[Any]) -> None:
    for one, activity in rows:
        event = be.ActivityPublished(activity=await activity_state(uow.session, one, activity))
        await uow.publish(event, key=str(one.space_id), republished=True)


async def _rounds(uow: UnitOfWork, rows: list[Any]) -> None:
    spaces = await space_ids_of(uow.session, [round_.id for round_ in rows])
    for round_ in rows:
        # `previous_state` None: the round as it stands, no move between states.
        event = changed(round_, spaces[round_.id], None)
        await uow.publish(event, key=str(round_.id), republished=True)


async def _loans(uow: UnitOfWork, rows: list[Any]) -> None:
    for details in await load_details(uow.session, rows):
        event = loan_event(details.loan, details.state())
        await uow.publish(event, key=str(details.loan.centre_id), republished=True)


# Organisations first: a consumer shows a booking with its organisation's name.
KINDS: tuple[Kind, ...] = (
    Kind("organisations", queries.organisations, lambda row: row.id, _organisations),
    Kind(
        "memberships",
        queries.memberships,
        lambda row: (row.organisation_id, row.person_id),
        _memberships,
    ),
    Kind("profiles", queries.profiles, lambda row: row.person_id, _profiles),
    Kind("bookings", queries.bookings, lambda row: row.id, _bookings),
    Kind("series", queries.series, lambda row: row.id, _series),
    Kind("team hand-overs", queries.series_with_teams, lambda row: row.id, _hand_overs),
    Kind("activities", queries.public_activities, lambda row: row[0].id, _activities),
    Kind("rounds", queries.rounds, lambda row: row.id, _rounds),
    Kind("loans", queries.loans, lambda row: row.loan_id, _loans),
)


async def publish_states(
    sessions: async_sessionmaker[AsyncSession], *, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Queue the current state event of every aggregate in the outbox; how many per kind."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return {kind.name: await _publish_kind(sessions, kind, batch_size) for kind in KINDS}


async def _publish_kind(
    sessions: async_sessionmaker[AsyncSession], kind: Kind, batch_size: int
) -> int:
    queued = 0
    after: Any = None
    while True:
        async with UnitOfWork(sessions, messaging, source=EVENT_SOURCE) as uow:
            rows = await kind.page(uow.session, after, batch_size)
            if not rows:
                break
            await kind.publish(uow, rows)
            await uow.commit()
        queued += len(rows)
        after = kind.last_key(rows[-1])
        log.info("publish_states.batch", kind=kind.name, queued=queued)
        if len(rows) < batch_size:
            break
    return queued


async def publish_all_states(
    settings: BookingSettings, *, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """`publish_states` on the service's database (the command line's entry)."""
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        sessions = session_factory(engine, outbox_session_info(settings.outbox_max_event_bytes))
        counts = await publish_states(sessions, batch_size=batch_size)
    finally:
        await engine.dispose()
    log.info("publish_states.done", **{name.replace(" ", "_"): n for name, n in counts.items()})
    return counts
