"""The read model of sites, spaces, organisations, bookings, loans, profiles and access grants:
events from `samspill.facilities` and `samspill.booking` applied as upserts, and its rebuild.

Every event carries its aggregate's full state, so applying one is an upsert. Bookings and
loans carry a version and an older version never overwrites a newer one, so replaying the
topics (in any order across partitions) ends in the same rows. Memberships and staff grants
(the full current state of one membership, or of one person's staff grants) go to the kernel's
`access_grant` table, which the service's grant loader reads on every request; a profile is
replaced by a newer one only.

A rebuild replays `samspill.facilities` from the start (it keeps every event) and reads the
latest state of every booking aggregate from `samspill.booking.state` (the event topic keeps
30 days only): since every state event carries the full state and newer versions win, the
latest state per aggregate builds the same rows as every event did. A series' hand-over to a
team has its own key (applied after the series' own state, in the same partition), and a
withdrawn public activity's state builds its withdrawn guide entry. What the states do not
carry is the model's own history of changes: how often a series changed team and when, and how
often a guide entry changed and when it was first published (the calendars' SEQUENCE and
CREATED). Those are carried over from the model being replaced, never lowered; a rebuild into
an empty model starts them from the latest state.

The read-model tables are emptied and every event is applied again in one transaction, so
readers see the old model until the new one is complete. Messages are not queued again (they
were queued when the events first arrived), and the consumer's inbox and offsets are left
alone: an event the consumer applies meanwhile waits for the lock and is applied on top, which
is harmless because every event carries its aggregate's full state. A facilities topic that no
longer holds every event the consumer applied, or a state topic that was trimmed or lacks an
aggregate the consumer applied, is refused (`samspill.replay.check_history`,
`check_state_history`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, time
from typing import Any

import structlog
from sqlalchemy import ColumnElement, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col

from notifications.domain.loans import loan_items
from notifications.guide.tables import GuideActivity
from notifications.guide.use_cases import apply_to_guide
from notifications.personal_data.queries import is_erased
from notifications.readmodel.tables import (
    READ_MODEL_TABLE_NAMES,
    BookingRecord,
    ClosureRecord,
    LoanRecord,
    OrganisationRecord,
    ProfileRecord,
    SeriesRecord,
    SiteRecord,
    SpaceRecord,
    WindowRecord,
    access_grant,
)
from notifications.tables import Table, messaging
from samspill.access_grants import apply_membership, apply_staff_grants
from samspill.db import UnitOfWork
from samspill.events import booking, facilities
from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import Envelope, EventData, TopicContract
from samspill.kafka import KafkaConfig
from samspill.privacy import erased_marker
from samspill.replay import (
    History,
    StateHistory,
    check_history,
    check_state_history,
    read_history,
    read_state,
)

log = structlog.get_logger("notifications.rebuild")

# Replayed from the start (kept for ever), and read from its state topic, in a rebuild.
EVENT_CONTRACTS: tuple[TopicContract, ...] = (facilities.contract,)
STATE_CONTRACT: TopicContract = booking.contract
CONSUMER = "notifications"  # the consumer group and inbox name of the event consumer
SOURCE = "/samspill/notifications"  # the unit of work's event source; a rebuild publishes none


async def replay(
    sessions: async_sessionmaker[AsyncSession],
    history: History,
    state: StateHistory,
    *,
    force: bool = False,
) -> None:
    names = ", ".join(READ_MODEL_TABLE_NAMES)
    async with UnitOfWork(sessions, messaging, source=SOURCE) as uow:
        session = uow.session
        await check_history(session, messaging.inbox, CONSUMER, history, force=force)
        await check_state_history(session, messaging.inbox, CONSUMER, state, force=force)
        kept = await _changes_so_far(session)
        await session.execute(text(f"TRUNCATE {names}"))
        for envelope in [*history.envelopes, *state.envelopes]:
            await apply_to_read_model(session, envelope)
        await _carry_over(session, kept)
        await uow.commit()


async def rebuild_read_model(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConfig, *, force: bool = False
) -> int:
    """Replay the facilities topic and the booking state topic into an emptied read model;
    returns the number of events applied.

    Raises `samspill.replay.HistoryMissing`, changing nothing, when the facilities topic lacks
    events, or the booking state topic aggregates, the consumer applied; `force` rebuilds from
    what the topics hold all the same.
    """
    history = await read_history(sessions, kafka, EVENT_CONTRACTS)
    state = await read_state(sessions, kafka, STATE_CONTRACT)
    await replay(sessions, history, state, force=force)
    applied = len(history.envelopes) + len(state.envelopes)
    log.info("rebuild.done", events=len(history.envelopes), states=len(state.envelopes))
    return applied


# The model's own history of changes, which no state carries: (id, count, time) per row.
ChangesSoFar = tuple[list[dict[str, Any]], list[dict[str, Any]]]


async def _changes_so_far(session: AsyncSession) -> ChangesSoFar:
    series = await session.execute(
        select(
            col(SeriesRecord.series_id),
            col(SeriesRecord.team_changes),
            col(SeriesRecord.team_changed_at),
        ).where(col(SeriesRecord.team_changes) > 0)
    )
    guide = await session.execute(
        select(
            col(GuideActivity.series_id),
            col(GuideActivity.changes),
            col(GuideActivity.published_at),
        )
    )
    return (
        [{"b_id": i, "b_changes": n, "b_at": at} for i, n, at in series.all()],
        [{"b_id": i, "b_changes": n, "b_at": at} for i, n, at in guide.all()],
    )


async def _carry_over(session: AsyncSession, kept: ChangesSoFar) -> None:
    """Counts of changes never go down (they are the calendars' SEQUENCE), a first publication
    stays the first."""
    series, guide = kept
    if series:
        table = SeriesRecord.__table__  # type: ignore[attr-defined]  # a Core update: one per row
        await session.execute(
            update(table)
            .where(table.c.series_id == bindparam("b_id"))
            .values(
                team_changes=func.greatest(table.c.team_changes, bindparam("b_changes")),
                team_changed_at=func.greatest(table.c.team_changed_at, bindparam("b_at")),
            ),
            series,
        )
    if guide:
        table = GuideActivity.__table__  # type: ignore[attr-defined]
        await session.execute(
            update(table)
            .where(table.c.series_id == bindparam("b_id"))
            .values(
                changes=func.greatest(table.c.changes, bindparam("b_changes")),
                published_at=func.least(table.c.published_at, bindparam("b_at")),
            ),
            guide,
        )


async def apply_to_read_model(session: AsyncSession, envelope: Envelope) -> None:
    """Apply one event to the read model and the guide's (events they do not need are
    ignored)."""
    apply = _APPLIERS.get(type(envelope.data))
    if apply is not None:
        await apply(session, envelope.data, envelope.time)
    await apply_to_guide(session, envelope.data, envelope.time)


async def _upsert(
    session: AsyncSession,
    model: type[Table],
    key: str,
    values: Mapping[str, Any],
    *,
    version: InstrumentedAttribute[int] | None = None,
    changed_at: InstrumentedAttribute[datetime] | None = None,
) -> None:
    """Insert or update; with `version` (or `changed_at`), a row is only replaced by the same
    or a newer one."""
    statement = pg_insert(model).values(**values)
    updates = {name: statement.excluded[name] for name in values if name != key}
    where = None
    if version is not None:
        where = version <= statement.excluded.version
    elif changed_at is not None:
        where = changed_at <= statement.excluded.changed_at
    await session.execute(
        statement.on_conflict_do_update(index_elements=[key], set_=updates, where=where)
    )


async def _site(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, fa.SiteRegistered | fa.SiteUpdated)
    site = data.site
    await _upsert(
        session,
        SiteRecord,
        "site_id",
        {
            "site_id": site.site_id,
            "name": site.name,
            "kind": site.kind,
            "address": site.address,
            "contact_name": site.contact.name,
            "contact_email": site.contact.email,
            "contact_phone": site.contact.phone,
            "changed_at": at,
        },
    )


async def _space(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, fa.SpaceRegistered | fa.SpaceUpdated | fa.SpaceRetired)
    space = data.space
    await _upsert(
        session,
        SpaceRecord,
        "space_id",
        {
            "space_id": space.space_id,
            "site_id": space.site_id,
            "name": space.name,
            "kind": space.kind,
            "conflicts_with": sorted(str(other) for other in space.conflicts_with),
            "min_minutes": space.rules.min_minutes,
            "max_minutes": space.rules.max_minutes,
            "granularity_minutes": space.rules.granularity_minutes,
            "buffer_minutes": space.rules.buffer_minutes,
            "horizon_days": space.rules.horizon_days,
            "retired": space.retired or isinstance(data, fa.SpaceRetired),
            "changed_at": at,
        },
    )


async def _window(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, fa.WindowReleased | fa.WindowWithdrawn)
    window = data.window
    withdrawn_dates = set(window.withdrawn_dates)
    withdrawn = window.withdrawn
    if isinstance(data, fa.WindowWithdrawn):
        withdrawn_dates.update(data.dates)
        withdrawn = withdrawn or not data.dates
    await _upsert(
        session,
        WindowRecord,
        "window_id",
        {
            "window_id": window.window_id,
            "space_id": window.space_id,
            "site_id": window.site_id,
            "kind": window.kind,
            "weekdays": sorted(window.weekdays),
            "start_time": window.start_time,
            "end_time": window.end_time,
            "valid_from": window.valid_from,
            "valid_to": window.valid_to,
            "withdrawn_dates": sorted(day.isoformat() for day in withdrawn_dates),
            "withdrawn": withdrawn,
        },
    )


async def _closure_scheduled(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, fa.ClosureScheduled)
    await save_closure(session, data.closure)


async def save_closure(session: AsyncSession, closure: fa.ClosureState) -> None:
    """Upsert a closure (also when it arrives inside a booking's cancellation first)."""
    await _upsert(
        session,
        ClosureRecord,
        "closure_id",
        {
            "closure_id": closure.closure_id,
            "site_id": closure.site_id,
            "space_id": closure.space_id,
            "start": closure.start,
            "end": closure.end,
            "reason": closure.reason,
            "note": closure.note,
        },
    )


async def _closure_lifted(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, fa.ClosureLifted)
    await session.execute(
        delete(ClosureRecord).where(col(ClosureRecord.closure_id) == data.closure.closure_id)
    )


async def _organisation(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, bk.OrganisationRegistered | bk.OrganisationUpdated)
    organisation = data.organisation
    await _upsert(
        session,
        OrganisationRecord,
        "organisation_id",
        {
            "organisation_id": organisation.organisation_id,
            "name": organisation.name,
            "contact_name": organisation.contact.name,
            "contact_email": organisation.contact.email,
            "contact_phone": organisation.contact.phone,
            "language": organisation.contact.language,
            "channel": organisation.contact.channel,
            "changed_at": at,
        },
    )


BookingEvents = (
    bk.BookingRequested
    | bk.BookingConfirmed
    | bk.BookingRejected
    | bk.BookingCancelled
    | bk.BookingAnonymised
)


async def _booking(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, BookingEvents)
    booking = data.booking
    await _upsert(
        session,
        BookingRecord,
        "booking_id",
        {
            "booking_id": booking.booking_id,
            "series_id": booking.series_id,
            "space_id": booking.space_id,
            "site_id": booking.site_id,
            "organisation_id": booking.organisation_id,
            "space_name": booking.space_name,
            "site_name": booking.site_name,
            "organisation_name": booking.organisation_name,
            "activity": booking.activity,
            "participants": booking.participants,
            "price_explanation": booking.price_explanation,
            "start": booking.start,
            "end": booking.end,
            "status": booking.status,
            "version": booking.version,
            "created_at": booking.created_at,
            "updated_at": booking.updated_at,
            "by_resident": booking.by_resident,
            "team_name": booking.team_name,
            "resident_id": booking.resident_id,
        },
        version=BookingRecord.version,  # type: ignore[arg-type]
    )
    await _still_erased(session, booking.resident_id)


async def _series(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, bk.SeriesCreated | bk.SeriesAnonymised)
    series = data.series
    await _upsert(
        session,
        SeriesRecord,
        "series_id",
        {
            "series_id": series.series_id,
            "space_id": series.space_id,
            "site_id": series.site_id,
            "organisation_id": series.organisation_id,
            "space_name": series.space_name,
            "site_name": series.site_name,
            "organisation_name": series.organisation_name,
            "activity": series.activity,
            "local_start_time": _clock(series.local_start_time),
            "local_end_time": _clock(series.local_end_time),
            "first_date": series.first_date,
            "last_date": series.last_date,
            "booking_count": len(series.booking_ids),
            "created_at": series.created_at,
            "round_id": series.round_id,
            "team_name": series.team_name,
            "resident_id": series.resident_id,
        },
    )
    await _still_erased(session, series.resident_id)


async def _series_team(session: AsyncSession, data: EventData, at: datetime) -> None:
    """The series and its bookings show the team's name from now on (a series not yet known
    takes it with its own event, which carries it too)."""
    assert isinstance(data, bk.SeriesHandedToTeam)
    series = data.series
    changes = col(SeriesRecord.team_name).is_distinct_from(series.team_name)
    await session.execute(
        update(SeriesRecord)
        .where(col(SeriesRecord.series_id) == series.series_id, changes)
        .values(
            team_name=series.team_name,
            round_id=series.round_id,
            team_changes=col(SeriesRecord.team_changes) + 1,
            team_changed_at=at,
        )
    )
    await session.execute(
        update(BookingRecord)
        .where(col(BookingRecord.series_id) == series.series_id)
        .values(team_name=series.team_name)
    )


def _clock(text: str) -> time:
    return time.fromisoformat(text)


LoanEvents = (
    bk.LoanReserved
    | bk.LoanUnitsChanged
    | bk.LoanPickedUp
    | bk.LoanReturned
    | bk.LoanCancelled
    | bk.LoanNoShow
    | bk.LoanOverdue
    | bk.LoanAnonymised
)


async def _loan(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, LoanEvents)
    loan = data.loan
    await _upsert(
        session,
        LoanRecord,
        "loan_id",
        {
            "loan_id": loan.loan_id,
            "resident_id": loan.resident_id,
            "centre_id": loan.centre_id,
            "centre_name": loan.centre_name,
            "pickup_date": loan.pickup_date,
            "return_date": loan.return_date,
            "status": loan.status,
            "items": loan_items(loan),
            "contact_name": loan.contact.name,
            "contact_email": loan.contact.email,
            "contact_phone": loan.contact.phone,
            "language": loan.contact.language,
            "channel": loan.contact.channel,
            "version": loan.version,
            "created_at": loan.created_at,
            "updated_at": loan.updated_at,
        },
        version=LoanRecord.version,  # type: ignore[arg-type]
    )
    await _still_erased(session, loan.resident_id)


async def _membership(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, bk.MembershipChanged)
    await apply_membership(session, access_grant, data.membership)


async def _staff_grants(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, fa.StaffGrantsChanged)
    await apply_staff_grants(session, access_grant, data.grants)


async def _profile(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, bk.ProfileChanged)
    profile = data.profile
    await _upsert(
        session,
        ProfileRecord,
        "person_id",
        {
            "person_id": profile.person_id,
            "display_name": profile.display_name,
            "email": profile.email,
            "phone": profile.phone,
            "language": profile.language,
            "channel": profile.channel,
            "changed_at": at,
        },
        changed_at=ProfileRecord.changed_at,  # type: ignore[arg-type]
    )
    await _still_erased(session, profile.person_id)


# --- a person's erasure ---------------------------------------------------------------------

# Where an erased resident's own booking or series named them by an id derived from their person
# id, it is named by one derived from their marker instead.
ERASED_BOOKER_NAMESPACE = uuid.UUID("0b6f3c1e-8d2a-4e57-9c4b-5a7e1f2d3c60")


def erased_booker_id(person_id: str) -> uuid.UUID:
    return uuid.uuid5(ERASED_BOOKER_NAMESPACE, erased_marker(person_id))


async def _person_erased(session: AsyncSession, data: EventData, at: datetime) -> None:
    assert isinstance(data, bk.PersonErased)
    await erase_from_read_model(session, data.erasure.person_id)


async def erase_from_read_model(session: AsyncSession, person_id: str) -> None:
    """The person's copies go: their profile and grants are deleted; their own loans, bookings
    and series keep the facts usage needs but lose contact, free text and id (the marker).

    Idempotent: a second call finds nothing naming the person.
    """
    await session.execute(delete(ProfileRecord).where(col(ProfileRecord.person_id) == person_id))
    await session.execute(delete(access_grant).where(access_grant.c.person_id == person_id))
    await anonymise_loans(session, person_id)
    await anonymise_bookings(session, BookingRecord, person_id)
    await anonymise_bookings(session, SeriesRecord, person_id)


async def anonymise_loans(
    session: AsyncSession, person_id: str, *where: ColumnElement[bool]
) -> None:
    """The person's loans (all of them, or those `where` picks) keep centre, dates, status and
    items, and lose the contact and the person's id (the marker)."""
    await session.execute(
        update(LoanRecord)
        .where(col(LoanRecord.resident_id) == person_id, *where)
        .values(
            resident_id=erased_marker(person_id),
            contact_name=None,
            contact_email=None,
            contact_phone=None,
        )
    )


async def anonymise_bookings(
    session: AsyncSession,
    table: type[BookingRecord] | type[SeriesRecord],
    person_id: str,
    *where: ColumnElement[bool],
) -> None:
    """The person's own bookings or series (all, or those `where` picks) keep space, times and
    status, and lose the free text and the ids derived from the person (markers)."""
    await session.execute(
        update(table)
        .where(col(table.resident_id) == person_id, *where)
        .values(
            resident_id=erased_marker(person_id),
            organisation_id=erased_booker_id(person_id),
            activity="",
        )
    )


async def _still_erased(session: AsyncSession, person_id: str | None) -> None:
    """An event that arrives after the person's erasure (another partition, a replay) does not
    bring their data back."""
    if person_id and await is_erased(session, person_id):
        await erase_from_read_model(session, person_id)


_Applier = Callable[[AsyncSession, EventData, datetime], Awaitable[None]]

_APPLIERS: dict[type[EventData], _Applier] = {
    fa.SiteRegistered: _site,
    fa.SiteUpdated: _site,
    fa.SpaceRegistered: _space,
    fa.SpaceUpdated: _space,
    fa.SpaceRetired: _space,
    fa.WindowReleased: _window,
    fa.WindowWithdrawn: _window,
    fa.ClosureScheduled: _closure_scheduled,
    fa.ClosureLifted: _closure_lifted,
    bk.OrganisationRegistered: _organisation,
    bk.OrganisationUpdated: _organisation,
    bk.BookingRequested: _booking,
    bk.BookingConfirmed: _booking,
    bk.BookingRejected: _booking,
    bk.BookingCancelled: _booking,
    bk.BookingAnonymised: _booking,
    bk.SeriesCreated: _series,
    bk.SeriesAnonymised: _series,
    bk.SeriesHandedToTeam: _series_team,
    bk.LoanReserved: _loan,
    bk.LoanUnitsChanged: _loan,
    bk.LoanPickedUp: _loan,
    bk.LoanReturned: _loan,
    bk.LoanCancelled: _loan,
    bk.LoanNoShow: _loan,
    bk.LoanOverdue: _loan,
    bk.LoanAnonymised: _loan,
    bk.MembershipChanged: _membership,
    fa.StaffGrantsChanged: _staff_grants,
    bk.ProfileChanged: _profile,
    bk.PersonErased: _person_erased,
}
