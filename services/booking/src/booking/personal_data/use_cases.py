"""Erasing a person's data in booking, anonymising residents' old history and deleting old
invitations, and recording staff's views of a person's data.

Erasure is one unit of work: the refusal of a last administrator comes before any change,
then what the person still holds is cancelled (their own bookings and series occurrences still
to come, their loans not yet picked up: reason `person_erased`, so the feeds free the time),
every table is changed, and the cancellations (with the anonymised states), the anonymised
states of the person's other own bookings, series and loans (`*.anonymised`) and
`PersonErased` are published for the other services, so either all of it happens or none. So
the newest state of every aggregate that named the person names no one on the booking state
topic (the profile and the memberships leave tombstones there), and compaction drops the
states before. The retention job publishes the anonymised states of what it anonymises too.
Outbox rows already published that name the person are deleted (those just written still go
out). Repeating it finds nothing left to change (the marker is the same every time) and
publishes the event again, which the other services apply idempotently.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, delete, null, update
from sqlmodel import col

from booking.allocation.tables import AllocationRun
from booking.applications.tables import Application
from booking.bookings.queries import load_place
from booking.bookings.states import booking_state
from booking.bookings.tables import Booking
from booking.bookings.use_cases import release
from booking.domain import BookingStatus, CancellationReason, LoanStatus, transition
from booking.domain.personal_data import (
    CLEARED_TEAM_CONTACT,
    PRIVATE_ACTIVITY,
    check_erasable,
    names_the_person,
)
from booking.lending.tables import Loan
from booking.lending.use_cases import move, publish, release_units
from booking.memberships import queries as memberships
from booking.memberships.tables import Invitation
from booking.memberships.use_cases import set_role
from booking.organisations.tables import Organisation
from booking.people.tables import Profile
from booking.personal_data import queries
from booking.rounds.tables import ApplicationRound
from booking.series.states import stored_series_state
from booking.series.tables import BookingSeries
from booking.tables import messaging
from samspill.access_log import record_access
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events import booking as be
from samspill.outbox import forget_published
from samspill.privacy import erased_marker, is_erased_marker
from samspill.retention import Anonymised, by_person, history_cutoff

RequestedBy = Literal["self", "staff"]
ERASED_LOAN_CONTACT: dict[str, Any] = {}


async def erase_person(
    uow: UnitOfWork,
    person_id: str,
    requested_by: RequestedBy,
    reason: str | None,
    now: datetime,
) -> uuid.UUID:
    """Erase the person's data in booking and announce it (`PersonErased`); the erasure's id.

    409 (nothing changed) while the person is the last administrator of an organisation."""
    session = uow.session
    joined = await memberships.memberships_of(session, person_id)
    locked = [(org, await memberships.lock_roles(session, org.id)) for _, org in joined]
    check_erasable([(org.name, roles) for org, roles in locked], person_id)
    held = await _cancel_what_they_hold(uow, person_id, now)
    for organisation, roles in locked:
        await set_role(uow, organisation.id, person_id, None, roles, now)

    profile = await session.get(Profile, person_id, with_for_update=True)
    person = queries.person_details(profile)
    invitations = await queries.invitations_of(session, person_id, person.email)
    if invitations:
        ids = [invitation.id for invitation in invitations]
        await session.execute(delete(Invitation).where(col(Invitation.id).in_(ids)))
    for team in await queries.teams_contacted_by(session, person):
        if names_the_person(team.contact, person):
            team.contact = dict(CLEARED_TEAM_CONTACT)
    if profile is not None:
        await session.delete(profile)

    known = {person_id, person.name, person.email, person.phone}
    known |= await queries.contact_values(session, person_id)
    own = await queries.own_rows(session, person_id)
    marker = erased_marker(person_id)
    await _anonymise_resident_rows(uow, person_id, marker)
    await _replace_person_id(uow, person_id, marker)
    await _announce_cancellations(uow, held)
    await _announce_anonymised(
        uow,
        bookings=_without(own.bookings, [b.id for b in held.bookings]),
        series=own.series,
        loans=_without(own.loans, [loan.loan_id for loan in held.loans]),
    )
    await forget_published(session, messaging, known)

    erasure_id = uuid.uuid4()
    state = be.PersonErasureState(
        person_id=person_id,
        erasure_id=erasure_id,
        requested_at=now,
        requested_by=requested_by,
        reason=reason,
    )
    await uow.publish(be.PersonErased(erasure=state), key=person_id)
    await uow.commit()
    return erasure_id


@dataclass(frozen=True)
class Held:
    """What the person still held when erased, cancelled: bookings and loans."""

    bookings: Sequence[Booking]
    loans: Sequence[Loan]


async def _cancel_what_they_hold(uow: UnitOfWork, person_id: str, now: datetime) -> Held:
    """The person's own bookings and series occurrences still to come, and their loans not
    yet picked up, are cancelled (reason `person_erased`), so the time and the units are free
    for others. A loan already picked up stays as it is: the equipment must come back."""
    session = uow.session
    bookings = await queries.future_resident_bookings(session, person_id, now)
    for booking in bookings:
        target = transition(BookingStatus(booking.status), BookingStatus.CANCELLED)
        await release(session, booking, target, now)
        booking.cancellation_reason = CancellationReason.PERSON_ERASED.value
    loans = await queries.loans_not_picked_up(session, person_id)
    for loan in loans:
        move(loan, LoanStatus.CANCELLED, now)
        loan.cancel_reason = "person_erased"
        await release_units(session, loan.loan_id)
    await session.flush()
    return Held(bookings=bookings, loans=loans)


async def _announce_cancellations(uow: UnitOfWork, held: Held) -> None:
    """The cancellation events, with the states as anonymised: the feeds free the time, and
    with no contact and the marker for the person nothing is sent to anyone."""
    session = uow.session
    await session.flush()
    for booking in held.bookings:
        await session.refresh(booking)
        state = await booking_state(session, booking)
        cancelled = be.BookingCancelled(booking=state, reason="person_erased")
        await uow.publish(cancelled, key=str(booking.space_id))
    for loan in held.loans:
        await session.refresh(loan)
        await publish(uow, loan, lambda s: be.LoanCancelled(loan=s, reason="person_erased"))


def _without(ids: Sequence[uuid.UUID], left_out: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return [row_id for row_id in ids if row_id not in set(left_out)]


async def _announce_anonymised(
    uow: UnitOfWork,
    *,
    bookings: Sequence[uuid.UUID],
    series: Sequence[uuid.UUID],
    loans: Sequence[uuid.UUID],
) -> None:
    """The states of rows just anonymised (and not cancelled), keyed as their other events:
    their newest state on the state topic names no one, and nothing is sent for them."""
    session = uow.session
    await session.flush()
    for booking in await queries.bookings_by_id(session, bookings):
        anonymised = be.BookingAnonymised(booking=await booking_state(session, booking))
        await uow.publish(anonymised, key=str(booking.space_id))
    for one in await queries.series_by_id(session, series):
        place = await load_place(session, one.space_id)
        state = await stored_series_state(session, place, one)
        await uow.publish(be.SeriesAnonymised(series=state), key=str(one.space_id))
    for loan in await queries.loans_by_id(session, loans):
        await publish(uow, loan, lambda s: be.LoanAnonymised(loan=s))


async def _anonymise_resident_rows(uow: UnitOfWork, person_id: str, marker: str) -> None:
    """The person's own bookings, series and loans keep their facts, lose the person."""
    bookings = col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == person_id
    await _anonymise_bookings(uow, bookings, marker)
    series = (
        col(BookingSeries.organisation_id).is_(None),
        col(BookingSeries.booker_sub) == person_id,
    )
    await _anonymise_series(uow, series, marker)
    await _anonymise_loans(uow, (col(Loan.resident_id) == person_id,), marker)


Where = tuple[ColumnElement[bool], ...]


async def _anonymise_bookings(uow: UnitOfWork, where: Where, marker: str) -> None:
    await uow.session.execute(
        update(Booking)
        .where(*where)
        .values(booker_sub=marker, contact=null(), activity=PRIVATE_ACTIVITY, rejection_reason=None)
    )


async def _anonymise_series(uow: UnitOfWork, where: Where, marker: str) -> None:
    await uow.session.execute(
        update(BookingSeries)
        .where(*where)
        .values(booker_sub=marker, contact=null(), activity=PRIVATE_ACTIVITY)
    )


async def _anonymise_loans(uow: UnitOfWork, where: Where, marker: str) -> None:
    await uow.session.execute(
        update(Loan)
        .where(*where)
        .values(resident_id=marker, contact=ERASED_LOAN_CONTACT, damage_notes=None)
    )


async def _replace_person_id(uow: UnitOfWork, person_id: str, marker: str) -> None:
    """Rows kept under an organisation or the municipality: only the person's id goes."""
    session = uow.session
    await session.execute(
        update(Booking).where(col(Booking.booker_sub) == person_id).values(booker_sub=marker)
    )
    await session.execute(
        update(BookingSeries)
        .where(col(BookingSeries.booker_sub) == person_id)
        .values(booker_sub=marker)
    )
    await session.execute(
        update(Application)
        .where(col(Application.submitted_by) == person_id)
        .values(submitted_by=marker)
    )
    await session.execute(
        update(ApplicationRound)
        .where(col(ApplicationRound.created_by) == person_id)
        .values(created_by=marker)
    )
    await session.execute(
        update(AllocationRun)
        .where(col(AllocationRun.started_by) == person_id)
        .values(started_by=marker)
    )
    await session.execute(
        update(Organisation)
        .where(col(Organisation.created_by) == person_id)
        .values(created_by=marker)
    )


async def anonymise_resident_history(
    uow: UnitOfWork, now: datetime, retention_days: int, batch_size: int
) -> Anonymised:
    """One batch of residents' own bookings, series and loans that ended more than
    `retention_days` ago, anonymised as for erasure (each with the marker of its person)."""
    session = uow.session
    cutoff = history_cutoff(now, retention_days)
    bookings = await queries.resident_bookings_ended(session, cutoff, batch_size)
    for person, ids in by_person(bookings).items():
        await _anonymise_bookings(uow, (col(Booking.id).in_(ids),), erased_marker(person))
    series = await queries.resident_series_ended(session, cutoff.date(), batch_size)
    for person, ids in by_person(series).items():
        await _anonymise_series(uow, (col(BookingSeries.id).in_(ids),), erased_marker(person))
    loans = await queries.loans_ended(session, cutoff, batch_size)
    for person, ids in by_person(loans).items():
        await _anonymise_loans(uow, (col(Loan.loan_id).in_(ids),), erased_marker(person))
    await _announce_anonymised(
        uow,
        bookings=[row_id for row_id, _ in bookings],
        series=[row_id for row_id, _ in series],
        loans=[row_id for row_id, _ in loans],
    )
    await uow.commit()
    return Anonymised(bookings=len(bookings), series=len(series), loans=len(loans))


async def delete_old_invitations(
    uow: UnitOfWork, now: datetime, retention_days: int, batch_size: int
) -> int:
    """One batch of invitations used, withdrawn or expired more than `retention_days` ago."""
    session = uow.session
    ids = await queries.invitations_done(session, history_cutoff(now, retention_days), batch_size)
    if ids:
        await session.execute(delete(Invitation).where(col(Invitation.id).in_(ids)))
    await uow.commit()
    return len(ids)


@dataclass(frozen=True)
class Viewed:
    """One person's data shown to staff: whose, what kind, which row, what of it."""

    subject_person_id: str | None
    subject_kind: str
    subject_id: str
    what: str


async def record_views(
    uow: UnitOfWork, principal: Principal, views: Sequence[Viewed], why: str, now: datetime
) -> None:
    """Record staff's views of other people's data (the access log), in one transaction."""
    for view in views:
        await record_access(
            uow.session,
            principal,
            subject_person_id=view.subject_person_id,
            subject_kind=view.subject_kind,
            subject_id=view.subject_id,
            what=view.what,
            why=why,
            at=now,
        )
    if views:
        await uow.commit()


async def record_loan_views(
    uow: UnitOfWork, principal: Principal, loans: Sequence[Loan], why: str, now: datetime
) -> None:
    """Loans shown to someone other than their borrower (the centre's staff, an admin); an
    anonymised loan names no one."""
    views = [
        Viewed(loan.resident_id, "loan", str(loan.loan_id), "the borrower's name and contact")
        for loan in loans
        if loan.resident_id != principal.person_id and not is_erased_marker(loan.resident_id)
    ]
    await record_views(uow, principal, views, why, now)


async def record_member_views(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    person_ids: Sequence[str],
    why: str,
    now: datetime,
) -> None:
    """An organisation's member list shown to someone who is not a member (the municipality's
    admin): one row per member shown. Members see each other without a record."""
    if principal.organisation_role(organisation_id) is not None:
        return
    views = [
        Viewed(person, "members", str(organisation_id), "name and role in the organisation")
        for person in person_ids
    ]
    await record_views(uow, principal, views, why, now)
