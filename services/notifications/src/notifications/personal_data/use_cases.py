"""A person's erasure in notifications' own records, staff's export for a written request, and
the retention of the read model's copies of residents' old bookings, series and loans.

`erase_own_records` runs in the consumer's unit of work (it never commits): the person's
messages lose address, text and recipient id (the waiting ones are cancelled), their delivery
log loses its error texts, their preference and feed tokens are deleted, and the marker is kept
in `erased_person`. The read model is erased by its own applier (`readmodel.use_cases`), which a
rebuild runs too. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.recipients import recipient_key
from notifications.feed_tokens.tables import FeedToken
from notifications.messages.tables import DeliveryAttempt, Message
from notifications.personal_data import queries
from notifications.personal_data.queries import messages_to
from notifications.personal_data.tables import ErasedPerson
from notifications.preferences.tables import RecipientPreference
from notifications.readmodel.tables import BookingRecord, LoanRecord, SeriesRecord
from notifications.readmodel.use_cases import anonymise_bookings, anonymise_loans
from samspill.db import UnitOfWork
from samspill.privacy import erased_marker
from samspill.retention import Anonymised, by_person, history_cutoff


async def erase_own_records(
    session: AsyncSession, person_id: str, addresses: set[str], *, now: datetime
) -> None:
    """Erase the person from messages, delivery log, preferences and feed tokens (not the
    read model); `addresses` are those the service held for them before the erasure."""
    marker = erased_marker(person_id)
    own_key = recipient_key("resident", person_id)
    theirs = messages_to(person_id, addresses)
    ids = select(col(Message.id)).where(theirs).scalar_subquery()
    await session.execute(
        update(DeliveryAttempt).where(col(DeliveryAttempt.message_id).in_(ids)).values(error=None)
    )
    await session.execute(
        update(Message).where(theirs, col(Message.status) == "pending").values(status="cancelled")
    )
    await session.execute(
        update(Message)
        .where(theirs)
        .values(
            recipient=func.replace(col(Message.recipient), person_id, marker),
            dedupe_key=func.replace(col(Message.dedupe_key), person_id, marker),
            address=None,
            subject="",
            body="",
            last_error=None,
        )
    )
    await session.execute(
        delete(RecipientPreference).where(col(RecipientPreference.recipient) == own_key)
    )
    await session.execute(
        delete(FeedToken).where(
            or_(
                col(FeedToken.owner_sub) == person_id,
                (col(FeedToken.kind) == "loans") & (col(FeedToken.subject_id) == person_id),
            )
        )
    )
    await session.execute(
        pg_insert(ErasedPerson)
        .values(marker=marker, erased_at=now)
        .on_conflict_do_nothing(index_elements=["marker"])
    )


async def anonymise_resident_history(
    uow: UnitOfWork, now: datetime, retention_days: int, batch_size: int
) -> Anonymised:
    """One batch of the read model's copies of residents' own bookings, series and loans that
    ended more than `retention_days` ago, anonymised as for erasure (each with the marker of
    its person). Booking anonymises its own rows after the same period without announcing it,
    so the copies are not told; they age out here by the same rule."""
    session = uow.session
    cutoff = history_cutoff(now, retention_days)
    bookings = await queries.resident_bookings_ended(session, cutoff, batch_size)
    for person, ids in by_person(bookings).items():
        picked = col(BookingRecord.booking_id).in_(ids)
        await anonymise_bookings(session, BookingRecord, person, picked)
    series = await queries.resident_series_ended(session, cutoff.date(), batch_size)
    for person, ids in by_person(series).items():
        picked = col(SeriesRecord.series_id).in_(ids)
        await anonymise_bookings(session, SeriesRecord, person, picked)
    loans = await queries.loans_ended(session, cutoff, batch_size)
    for person, ids in by_person(loans).items():
        await anonymise_loans(session, person, col(LoanRecord.loan_id).in_(ids))
    await uow.commit()
    return Anonymised(bookings=len(bookings), series=len(series), loans=len(loans))
