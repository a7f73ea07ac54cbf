"""A person's data as notifications holds it, sectioned by kind, and whether they are erased.

Feed tokens are listed by id, kind and dates: a token's secret is never stored (only its hash),
and the hash is not shown either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import and_, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from notifications.domain.invitations import redact_invitation_links
from notifications.domain.messages import MessageKind
from notifications.domain.recipients import recipient_key
from notifications.feed_tokens.tables import FeedToken
from notifications.messages.tables import Message
from notifications.personal_data.tables import ErasedPerson
from notifications.preferences.tables import RecipientPreference
from notifications.readmodel.tables import (
    BookingRecord,
    LoanRecord,
    ProfileRecord,
    SeriesRecord,
    access_grant,
)
from samspill.events.booking import Contact
from samspill.privacy import MARKER_PREFIX, erased_marker
from samspill.retention import ENDED_LOAN_STATUSES

Row = dict[str, Any]
REMINDERS = (
    MessageKind.REMINDER_BOOKING_TOMORROW,
    MessageKind.REMINDER_PICKUP_TOMORROW,
    MessageKind.REMINDER_RETURN_TOMORROW,
)
_MESSAGE_FIELDS = (
    "id",
    "kind",
    "channel",
    "address",
    "language",
    "subject",
    "body",
    "status",
    "created_at",
    "next_attempt_at",
    "sent_at",
    "attempts",
    "last_error",
)
_TOKEN_FIELDS = ("id", "kind", "subject_id", "admin_issued", "created_at", "revoked_at")


async def is_erased(session: AsyncSession, person_id: str) -> bool:
    return await session.get(ErasedPerson, erased_marker(person_id)) is not None


async def addresses_of(session: AsyncSession, person_id: str) -> set[str]:
    """Every email address and phone number the service holds for the person."""
    found: set[str] = set()
    profile = await session.get(ProfileRecord, person_id)
    if profile is not None:
        found.update(a for a in (profile.email, profile.phone) if a)
    loans = await session.execute(
        select(col(LoanRecord.contact_email), col(LoanRecord.contact_phone)).where(
            col(LoanRecord.resident_id) == person_id
        )
    )
    for email, phone in loans.all():
        found.update(a for a in (email, phone) if a)
    return found


async def last_contact(session: AsyncSession, person_id: str) -> Contact | None:
    """The contact the person gave with their latest loan, for one without a profile."""
    loan = (
        await session.execute(
            select(LoanRecord)
            .where(col(LoanRecord.resident_id) == person_id)
            .order_by(col(LoanRecord.updated_at).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if loan is None or not (loan.contact_email or loan.contact_phone):
        return None
    return Contact.model_validate(
        {
            "name": loan.contact_name,
            "email": loan.contact_email,
            "phone": loan.contact_phone,
            "language": loan.language,
            "channel": loan.channel,
        }
    )


def messages_to(person_id: str, addresses: Iterable[str]) -> ColumnElement[bool]:
    """The person's messages: to them as a resident, and invitations to their addresses."""
    own = col(Message.recipient) == recipient_key("resident", person_id)
    known = sorted(addresses)
    if not known:
        return own
    invited = and_(col(Message.recipient).like("invitee:%"), col(Message.address).in_(known))
    return or_(own, invited)


async def personal_data_of(session: AsyncSession, person_id: str) -> dict[str, list[Row]]:
    """Everything notifications holds about the person, by section."""
    key = recipient_key("resident", person_id)
    addresses = await addresses_of(session, person_id)
    profile = await session.get(ProfileRecord, person_id)
    preferences = await _all(
        session, select(RecipientPreference).where(col(RecipientPreference.recipient) == key)
    )
    tokens = await _all(
        session,
        select(FeedToken)
        .where(col(FeedToken.owner_sub) == person_id)
        .order_by(col(FeedToken.created_at), col(FeedToken.id)),
    )
    messages = await _all(
        session,
        select(Message)
        .where(messages_to(person_id, addresses))
        .order_by(col(Message.created_at), col(Message.id)),
    )
    grants = await session.execute(
        select(access_grant).where(access_grant.c.person_id == person_id)
    )
    return {
        "profile": [] if profile is None else [_row(profile)],
        "preferences": [_row(p) for p in preferences],
        "feed_tokens": [_row(t, _TOKEN_FIELDS) for t in tokens],
        "messages": [_row(m, _MESSAGE_FIELDS) for m in messages if m.kind not in REMINDERS],
        "reminders": [_row(m, _MESSAGE_FIELDS) for m in messages if m.kind in REMINDERS],
        "loans": [_row(r) for r in await _resident_rows(session, LoanRecord, person_id)],
        "bookings": [_row(r) for r in await _resident_rows(session, BookingRecord, person_id)],
        "series": [_row(r) for r in await _resident_rows(session, SeriesRecord, person_id)],
        "access_grants": [jsonable_encoder(dict(g)) for g in grants.mappings()],
    }


async def _resident_rows(
    session: AsyncSession, table: type[LoanRecord | BookingRecord | SeriesRecord], person_id: str
) -> Sequence[Any]:
    return await _all(session, select(table).where(col(table.resident_id) == person_id))


async def _all(session: AsyncSession, statement: Any) -> Sequence[Any]:
    return list((await session.execute(statement)).scalars())


def _row(record: Any, fields: Sequence[str] | None = None) -> Row:
    data = record.model_dump()
    if fields is not None:
        data = {name: data[name] for name in fields}
    encoded: Row = jsonable_encoder(data)
    return encoded


# (row id, the resident's person id) of copies to anonymise.
Owned = Sequence[tuple[Any, str]]


async def resident_bookings_ended(session: AsyncSession, before: datetime, limit: int) -> Owned:
    """Copies of residents' own bookings that ended before the instant and still name their
    person (no marker yet), locked (others skipped) for anonymising."""
    query = (
        select(col(BookingRecord.booking_id), col(BookingRecord.resident_id))
        .where(_names_a_resident(BookingRecord), col(BookingRecord.end) < before)
        .order_by(col(BookingRecord.end))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _owned((await session.execute(query)).all())


async def resident_series_ended(session: AsyncSession, last_date_before: date, limit: int) -> Owned:
    query = (
        select(col(SeriesRecord.series_id), col(SeriesRecord.resident_id))
        .where(
            _names_a_resident(SeriesRecord),
            col(SeriesRecord.last_date) < last_date_before,
        )
        .order_by(col(SeriesRecord.last_date))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _owned((await session.execute(query)).all())


async def loans_ended(session: AsyncSession, before: datetime, limit: int) -> Owned:
    """Copies of loans that ended (returned, cancelled, not collected) before the instant, by
    their last change, and still name their borrower."""
    query = (
        select(col(LoanRecord.loan_id), col(LoanRecord.resident_id))
        .where(
            _names_a_resident(LoanRecord),
            col(LoanRecord.status).in_(ENDED_LOAN_STATUSES),
            col(LoanRecord.updated_at) < before,
        )
        .order_by(col(LoanRecord.updated_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _owned((await session.execute(query)).all())


def _names_a_resident(
    table: type[BookingRecord] | type[SeriesRecord] | type[LoanRecord],
) -> ColumnElement[bool]:
    """A resident's own row (an organisation's has no resident) not yet anonymised."""
    resident_id = col(table.resident_id)
    return and_(resident_id.is_not(None), not_(resident_id.startswith(MARKER_PREFIX)))


def _owned(rows: Iterable[Any]) -> Owned:
    return [(row_id, str(person)) for row_id, person in rows]


async def exported(session: AsyncSession, person_id: str) -> dict[str, list[Row]]:
    """The person's data as the export shows it: invitation links without their code, as in
    the delivery log."""
    sections = await personal_data_of(session, person_id)
    return {
        name: [_without_codes(row) for row in rows] if name in ("messages", "reminders") else rows
        for name, rows in sections.items()
    }


def _without_codes(row: Row) -> Row:
    body = row.get("body")
    return {**row, "body": redact_invitation_links(body)} if isinstance(body, str) else row
