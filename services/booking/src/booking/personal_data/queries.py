"""Reading a person's data in booking: the export (`/me/data`) and what erasure and the
retention jobs find to change. Never writes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.allocation.tables import AllocationRun
from booking.applications.tables import Application
from booking.bookings.tables import Booking
from booking.domain.personal_data import PersonDetails
from booking.lending.tables import Loan, LoanUnit
from booking.memberships.tables import Invitation, Membership
from booking.organisations.tables import Organisation
from booking.people.tables import Profile
from booking.rounds.tables import ApplicationRound
from booking.series.tables import BookingSeries
from booking.tables import access_log
from booking.teams.tables import Team
from samspill.privacy import MARKER_PREFIX
from samspill.retention import ENDED_LOAN_STATUSES

Row = dict[str, Any]
HOLDING_BOOKING_STATUSES = ("requested", "confirmed")


def _plain(row: Any, *, leave_out: frozenset[str] = frozenset()) -> Row:
    """A table row as plain values (FastAPI encodes ids, dates and instants)."""
    return {key: value for key, value in row.model_dump().items() if key not in leave_out}


def person_details(profile: Profile | None) -> PersonDetails:
    if profile is None:
        return PersonDetails()
    return PersonDetails(name=profile.display_name, email=profile.email, phone=profile.phone)


def _invitations_of(person_id: str, email: str | None) -> ColumnElement[bool]:
    """Invitations sent to the person's email, sent by them or accepted by them."""
    about = [col(Invitation.invited_by) == person_id, col(Invitation.accepted_by) == person_id]
    if email:
        about.append(func.lower(col(Invitation.email)) == email.strip().lower())
    return or_(*about)


def _teams_of(person: PersonDetails) -> ColumnElement[bool] | None:
    """Teams whose contact person has the person's email, phone or name (ignoring case)."""
    matches: list[ColumnElement[bool]] = []
    for field, value in (("email", person.email), ("phone", person.phone), ("name", person.name)):
        if value and value.strip():
            stored = func.lower(func.trim(col(Team.contact)[field].astext))
            matches.append(stored == value.strip().lower())
    return or_(*matches) if matches else None


async def teams_contacted_by(session: AsyncSession, person: PersonDetails) -> Sequence[Team]:
    matches = _teams_of(person)
    if matches is None:
        return []
    found = await session.execute(select(Team).where(matches).order_by(col(Team.name)))
    return found.scalars().all()


async def invitations_of(
    session: AsyncSession, person_id: str, email: str | None
) -> Sequence[Invitation]:
    query = select(Invitation).where(_invitations_of(person_id, email))
    return (await session.execute(query.order_by(col(Invitation.created_at)))).scalars().all()


async def _all(session: AsyncSession, query: Select[Any]) -> list[Any]:
    return list((await session.execute(query)).scalars().all())


async def _memberships(session: AsyncSession, person_id: str) -> list[Row]:
    rows = await session.execute(
        select(Membership, col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(Membership.organisation_id))
        .where(col(Membership.person_id) == person_id)
        .order_by(col(Organisation.name))
    )
    return [{**_plain(m), "organisation_name": name} for m, name in rows.all()]


async def _organisation_rows(
    session: AsyncSession, table: type[Booking] | type[BookingSeries], person_id: str
) -> list[Row]:
    """Bookings or series the person made in an organisation's name."""
    rows = await session.execute(
        select(table, col(Organisation.name))
        .join(Organisation, col(Organisation.id) == table.organisation_id)
        .where(col(table.booker_sub) == person_id)
        .order_by(col(table.created_at))
    )
    return [{**_plain(row), "organisation_name": name} for row, name in rows.all()]


async def _loans(session: AsyncSession, person_id: str) -> list[Row]:
    loans = await _all(
        session,
        select(Loan).where(col(Loan.resident_id) == person_id).order_by(col(Loan.created_at)),
    )
    units = await session.execute(
        select(
            col(LoanUnit.loan_id),
            col(LoanUnit.item_type_id),
            col(LoanUnit.unit_id),
            col(LoanUnit.returned_condition),
        ).where(col(LoanUnit.loan_id).in_([loan.loan_id for loan in loans]))
    )
    held: dict[uuid.UUID, list[Row]] = {}
    for loan_id, item_type_id, unit_id, condition in units.all():
        held.setdefault(loan_id, []).append(
            {"item_type_id": item_type_id, "unit_id": unit_id, "returned_condition": condition}
        )
    return [{**_plain(loan), "units": held.get(loan.loan_id, [])} for loan in loans]


async def _applications(session: AsyncSession, person_id: str) -> list[Row]:
    rows = await session.execute(
        select(Application, col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(Application.organisation_id))
        .where(col(Application.submitted_by) == person_id)
        .order_by(col(Application.created_at))
    )
    return [{**_plain(a), "organisation_name": name} for a, name in rows.all()]


async def _access_log(session: AsyncSession, person_id: str) -> list[Row]:
    rows = await session.execute(
        select(access_log)
        .where(access_log.c.subject_person_id == person_id)
        .order_by(access_log.c.at)
    )
    return [dict(row) for row in rows.mappings().all()]


async def personal_data(session: AsyncSession, person_id: str) -> dict[str, list[Row]]:
    """Everything booking holds about the person, by kind."""
    profile = await session.get(Profile, person_id)
    person = person_details(profile)
    resident_bookings = select(Booking).where(
        col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == person_id
    )
    resident_series = select(BookingSeries).where(
        col(BookingSeries.organisation_id).is_(None), col(BookingSeries.booker_sub) == person_id
    )
    invitations = await invitations_of(session, person_id, person.email)
    bookings = await _all(session, resident_bookings.order_by(col(Booking.start)))
    series = await _all(session, resident_series.order_by(col(BookingSeries.first_date)))
    rounds = await _all(
        session, select(ApplicationRound).where(col(ApplicationRound.created_by) == person_id)
    )
    runs = await _all(
        session, select(AllocationRun).where(col(AllocationRun.started_by) == person_id)
    )
    organisations = await _all(
        session, select(Organisation).where(col(Organisation.created_by) == person_id)
    )
    return {
        "profile": [] if profile is None else [_plain(profile)],
        "memberships": await _memberships(session, person_id),
        "invitations": [_plain(i, leave_out=frozenset({"code_hash"})) for i in invitations],
        "bookings": [_plain(b) for b in bookings],
        "series": [_plain(s) for s in series],
        "loans": await _loans(session, person_id),
        "organisation_bookings": await _organisation_rows(session, Booking, person_id),
        "organisation_series": await _organisation_rows(session, BookingSeries, person_id),
        "organisations_registered": [_plain(o) for o in organisations],
        "applications": await _applications(session, person_id),
        "teams": [_plain(t) for t in await teams_contacted_by(session, person)],
        "rounds_created": [_plain(r) for r in rounds],
        "allocation_runs": [_plain(r) for r in runs],
        "access_log": await _access_log(session, person_id),
    }


Owned = list[tuple[uuid.UUID, str]]  # a row's id and its person's id


async def _owned(session: AsyncSession, query: Select[uuid.UUID, str]) -> Owned:
    return [(row_id, person) for row_id, person in (await session.execute(query)).all()]


async def resident_bookings_ended(session: AsyncSession, before: datetime, limit: int) -> Owned:
    """Residents' own bookings that ended before the instant and still name their person (no
    marker yet), locked (others skipped) for anonymising."""
    query = (
        select(col(Booking.id), col(Booking.booker_sub))
        .where(
            col(Booking.organisation_id).is_(None),
            not_(col(Booking.booker_sub).startswith(MARKER_PREFIX)),
            col(Booking.end) < before,
        )
        .order_by(col(Booking.end))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return await _owned(session, query)


async def resident_series_ended(session: AsyncSession, last_date_before: date, limit: int) -> Owned:
    query = (
        select(col(BookingSeries.id), col(BookingSeries.booker_sub))
        .where(
            col(BookingSeries.organisation_id).is_(None),
            not_(col(BookingSeries.booker_sub).startswith(MARKER_PREFIX)),
            col(BookingSeries.last_date) < last_date_before,
        )
        .order_by(col(BookingSeries.last_date))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return await _owned(session, query)


async def loans_ended(session: AsyncSession, before: datetime, limit: int) -> Owned:
    """Loans that ended (returned, cancelled, not collected) before the instant, by their last
    change, and still name their borrower."""
    query = (
        select(col(Loan.loan_id), col(Loan.resident_id))
        .where(
            col(Loan.status).in_(ENDED_LOAN_STATUSES),
            col(Loan.updated_at) < before,
            not_(col(Loan.resident_id).startswith(MARKER_PREFIX)),
        )
        .order_by(col(Loan.updated_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return await _owned(session, query)


def invitation_done_before(before: datetime) -> ColumnElement[bool]:
    """An invitation used, withdrawn or expired before the instant."""
    return or_(
        col(Invitation.accepted_at) < before,
        col(Invitation.withdrawn_at) < before,
        col(Invitation.expires_at) < before,
    )


async def invitations_done(
    session: AsyncSession, before: datetime, limit: int
) -> Sequence[uuid.UUID]:
    query = (
        select(col(Invitation.id))
        .where(invitation_done_before(before))
        .order_by(col(Invitation.expires_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def future_resident_bookings(
    session: AsyncSession, person_id: str, now: datetime
) -> Sequence[Booking]:
    """The person's own bookings (series occurrences included) still to start and still
    holding their time, locked for their cancellation by erasure."""
    query = (
        select(Booking)
        .where(
            col(Booking.organisation_id).is_(None),
            col(Booking.booker_sub) == person_id,
            col(Booking.start) > now,
            col(Booking.status).in_(HOLDING_BOOKING_STATUSES),
        )
        .order_by(col(Booking.start))
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()


async def loans_not_picked_up(session: AsyncSession, person_id: str) -> Sequence[Loan]:
    """The person's reserved loans (not yet picked up), locked for their cancellation."""
    query = (
        select(Loan)
        .where(col(Loan.resident_id) == person_id, col(Loan.status) == "reserved")
        .order_by(col(Loan.pickup_date))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalars().all()


@dataclass(frozen=True)
class OwnRows:
    """The ids of a person's own bookings (series occurrences included), series and loans."""

    bookings: list[uuid.UUID]
    series: list[uuid.UUID]
    loans: list[uuid.UUID]


async def own_rows(session: AsyncSession, person_id: str) -> OwnRows:
    bookings = select(col(Booking.id)).where(
        col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == person_id
    )
    series = select(col(BookingSeries.id)).where(
        col(BookingSeries.organisation_id).is_(None), col(BookingSeries.booker_sub) == person_id
    )
    loans = select(col(Loan.loan_id)).where(col(Loan.resident_id) == person_id)
    return OwnRows(
        bookings=list((await session.scalars(bookings)).all()),
        series=list((await session.scalars(series)).all()),
        loans=list((await session.scalars(loans)).all()),
    )


async def bookings_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Booking]:
    """The bookings as they are now (after a bulk update), in id order."""
    query = select(Booking).where(col(Booking.id).in_(ids)).order_by(col(Booking.id))
    return (await session.scalars(query.execution_options(populate_existing=True))).all()


async def series_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[BookingSeries]:
    query = select(BookingSeries).where(col(BookingSeries.id).in_(ids))
    query = query.order_by(col(BookingSeries.id)).execution_options(populate_existing=True)
    return (await session.scalars(query)).all()


async def loans_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Loan]:
    query = select(Loan).where(col(Loan.loan_id).in_(ids)).order_by(col(Loan.loan_id))
    return (await session.scalars(query.execution_options(populate_existing=True))).all()


async def contact_values(session: AsyncSession, person_id: str) -> set[str]:
    """The names, email addresses and phone numbers the person gave with their own bookings,
    series and loans (they may differ from the profile's)."""
    contacts = [
        select(col(Booking.contact)).where(
            col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == person_id
        ),
        select(col(BookingSeries.contact)).where(
            col(BookingSeries.organisation_id).is_(None),
            col(BookingSeries.booker_sub) == person_id,
        ),
        select(col(Loan.contact)).where(col(Loan.resident_id) == person_id),
    ]
    found: set[str] = set()
    for query in contacts:
        for contact in (await session.execute(query)).scalars():
            for field in ("name", "email", "phone"):
                value = (contact or {}).get(field)
                if isinstance(value, str) and value.strip():
                    found.add(value.strip())
    return found
