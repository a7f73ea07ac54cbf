"""Incoming events: which events message whom, as message rows (and reminders).

Nothing is sent here. Rows are inserted in the handler's transaction, together with the inbox
row, and the delivery worker sends them later. Each row has a unique `dedupe_key` (event or
series or reminder, kind, recipient), so a redelivered or replayed event queues nothing new.
A weekly series is told once (its first event), not once per occurrence; a series a seasonal
round made (`round_id`) is told by the round's result or the waiting-list offer instead, so
its series and occurrence events queue no confirmation (its reminders stay). An invitation is
emailed once per invitation; a person's new profile readdresses their messages still waiting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast
from uuid import UUID

import structlog
from sqlalchemy import Table, and_, bindparam, or_, update
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.invitations import (
    INVITATION_KIND,
    Invitation,
    invitation_link,
    render_invitation,
)
from notifications.domain.loans import loan_items
from notifications.domain.messages import (
    Channel,
    Language,
    MessageKind,
    RenderedMessage,
    SectionAnswer,
    WeeklyTime,
    render_message,
)
from notifications.domain.recipients import Recipient, recipient_key
from notifications.domain.requisitions import (
    REQUISITION_CANCELLED,
    REQUISITION_OFFERED_BACK,
    HeldTime,
    render_requisition,
)
from notifications.domain.schedule import reminder_due
from notifications.messages.queries import (
    booker_recipient,
    centre_name,
    closure_of,
    evening_free_slots,
    first_of_series,
    organisation_recipient,
    resident_recipient,
    series_statuses,
    site_recipient,
)
from notifications.messages.tables import Message
from notifications.readmodel.tables import BookingRecord, SeriesRecord
from notifications.readmodel.use_cases import save_closure
from samspill.events import booking as bk
from samspill.events.base import Envelope, EventData
from samspill.events.facilities import RequisitionState
from samspill.recurrence import local_date
from samspill.tracing import current_traceparent

log = structlog.get_logger("notifications.messages")

REMINDER_KINDS = (
    MessageKind.REMINDER_BOOKING_TOMORROW,
    MessageKind.REMINDER_PICKUP_TOMORROW,
    MessageKind.REMINDER_RETURN_TOMORROW,
)
UNDELIVERABLE_RESCUE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Occasion:
    """The event being handled, the clock it is handled by and the settings messages use."""

    envelope: Envelope
    now: datetime
    reminder_time: time
    portal_url: str  # where invitation links and club pages point
    sms: bool = False  # whether an SMS provider (or the development sink) is configured


async def queue_messages(session: AsyncSession, occasion: Occasion) -> None:
    """Queue the messages and reminders one event calls for (after the read model is updated)."""
    rule = _RULES.get(type(occasion.envelope.data))
    if rule is not None:
        await rule(session, occasion.envelope.data, occasion)


# --- queueing -------------------------------------------------------------------------------


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    recipient: Recipient,
    kind: MessageKind,
    context: Mapping[str, object],
    now: datetime,
    sms: bool,
    due: datetime | None = None,
    aggregate_id: object = None,
) -> None:
    """Insert one message row, or nothing when its dedupe key exists.

    A reminder (`due` given) that is still pending is rescheduled and re-rendered instead,
    so a changed booking time moves its reminder.
    """
    channel, _ = recipient.address(sms=sms)
    if recipient.name:
        context = {**context, "recipient_name": recipient.name}
    rendered = render_message(kind, recipient.language, channel, context)
    await enqueue_rendered(
        session,
        dedupe_key=dedupe_key,
        recipient=recipient,
        kind=kind.value,
        rendered=rendered,
        now=now,
        sms=sms,
        due=due,
        aggregate_id=aggregate_id,
    )


async def enqueue_rendered(
    session: AsyncSession,
    *,
    dedupe_key: str,
    recipient: Recipient,
    kind: str,
    rendered: RenderedMessage,
    now: datetime,
    sms: bool,
    due: datetime | None = None,
    aggregate_id: object = None,
) -> None:
    """`enqueue` for a message already written for the recipient's channel and language."""
    channel, address = recipient.address(sms=sms)
    values = {
        "dedupe_key": dedupe_key,
        "recipient": recipient.key,
        "channel": channel.value,
        "address": address,
        "language": recipient.language.value,
        "kind": kind,
        "subject": rendered.subject,
        "body": rendered.body,
        "aggregate_id": None if aggregate_id is None else str(aggregate_id),
        "status": "pending" if address else "undeliverable",
        "last_error": None if address else _no_address(recipient, sms=sms),
        "next_attempt_at": due or now,
        "created_at": now,
        "traceparent": current_traceparent(),
    }
    await session.execute(_QUEUE_ONCE if due is None else _QUEUE_OR_RESCHEDULE, values)


def _queue_statement(*, reschedule: bool) -> Insert:
    """The message's insert, built once with a bound parameter per column: nothing when its
    dedupe key exists, or, for a reminder, the pending one rescheduled and rewritten."""
    table = cast(Table, Message.__table__)  # type: ignore[attr-defined]
    columns = (
        "dedupe_key",
        "recipient",
        "channel",
        "address",
        "language",
        "kind",
        "subject",
        "body",
        "aggregate_id",
        "status",
        "last_error",
        "next_attempt_at",
        "created_at",
        "traceparent",
    )
    statement = pg_insert(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in columns}
    )
    if not reschedule:
        return statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    changing = (
        "channel",
        "address",
        "language",
        "subject",
        "body",
        "next_attempt_at",
        "traceparent",
    )
    return statement.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={name: statement.excluded[name] for name in changing},
        where=table.c.status == "pending",
    )


_QUEUE_ONCE = _queue_statement(reschedule=False)
_QUEUE_OR_RESCHEDULE = _queue_statement(reschedule=True)


def _no_address(recipient: Recipient, *, sms: bool) -> str:
    if recipient.phone and not sms:
        return "no SMS provider is configured and no email address is known"
    return "no email address or phone number is known"


async def cancel_reminders(
    session: AsyncSession, aggregate_id: object, kinds: Sequence[MessageKind] = REMINDER_KINDS
) -> None:
    await session.execute(
        update(Message)
        .where(
            col(Message.aggregate_id) == str(aggregate_id),
            col(Message.status) == "pending",
            col(Message.kind).in_([kind.value for kind in kinds]),
        )
        .values(status="cancelled")
    )


async def _reminder(
    session: AsyncSession,
    occasion: Occasion,
    *,
    kind: MessageKind,
    day: date,
    aggregate_id: UUID,
    recipient: Recipient,
    context: Mapping[str, object],
) -> None:
    due = reminder_due(day, occasion.reminder_time, now=occasion.now)
    if due is None:
        await cancel_reminders(session, aggregate_id, [kind])
        return
    await enqueue(
        session,
        dedupe_key=f"reminder:{kind}:{aggregate_id}:{recipient.key}",
        recipient=recipient,
        kind=kind,
        context=context,
        now=occasion.now,
        sms=occasion.sms,
        due=due,
        aggregate_id=aggregate_id,
    )


# --- bookings -------------------------------------------------------------------------------


def booking_context(booking: bk.BookingState | BookingRecord) -> dict[str, object]:
    return {
        "organisation": booking.organisation_name,
        "site": booking.site_name,
        "space": booking.space_name,
        "start": booking.start,
        "end": booking.end,
        "activity": booking.activity,
    }


async def _booking_message(
    session: AsyncSession,
    occasion: Occasion,
    booking: bk.BookingState,
    recipient: Recipient,
    kind: MessageKind,
    extra: Mapping[str, object] | None = None,
    *,
    per_series: bool = True,
) -> None:
    """One message per event, or for a series one per series (told with its first booking)."""
    context: dict[str, object] = {**booking_context(booking), **(extra or {})}
    key = f"{occasion.envelope.id}:{kind}:{recipient.key}"
    if booking.series_id is not None and per_series:
        series = await session.get(SeriesRecord, booking.series_id)
        if series is None:
            return  # the series event tells it, with the number of occurrences
        first = await first_of_series(session, booking.series_id)
        context.update(booking_context(first or booking), occurrences=series.booking_count)
        key = f"series:{booking.series_id}:{kind}:{recipient.key}"
    await enqueue(
        session,
        dedupe_key=key,
        recipient=recipient,
        kind=kind,
        context=context,
        now=occasion.now,
        sms=occasion.sms,
    )


async def _on_requested(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.BookingRequested)
    manager = await site_recipient(session, data.booking.site_id)
    await _booking_message(session, occasion, data.booking, manager, MessageKind.APPROVAL_REQUESTED)


async def _on_confirmed(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.BookingConfirmed)
    booking = data.booking
    booker = await booker_recipient(session, booking)
    if not await _made_by_round(session, booking.series_id):
        await _booking_message(session, occasion, booking, booker, MessageKind.BOOKING_CONFIRMED)
    if booking.start > occasion.now:
        await _reminder(
            session,
            occasion,
            kind=MessageKind.REMINDER_BOOKING_TOMORROW,
            day=local_date(booking.start),
            aggregate_id=booking.booking_id,
            recipient=booker,
            context=booking_context(booking),
        )


async def _on_rejected(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.BookingRejected)
    booking = data.booking
    await cancel_reminders(session, booking.booking_id)
    booker = await booker_recipient(session, booking)
    await _booking_message(
        session,
        occasion,
        booking,
        booker,
        MessageKind.BOOKING_REJECTED,
        {"comment": data.reason},
    )


async def _on_cancelled(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.BookingCancelled)
    booking = data.booking
    await cancel_reminders(session, booking.booking_id)
    if data.reason == "person_erased":
        return  # the booker was erased: there is no one to tell, and their address is gone
    if data.reason == "requisition":
        return  # `requisition.applied` tells each person once, with all of theirs
    booker = await booker_recipient(session, booking)
    extra: dict[str, object] = {"reason": data.reason}
    if data.reason == "closure":
        if data.closure is not None:  # may arrive before the facilities topic tells it
            await save_closure(session, data.closure)
        closure = await closure_of(session, booking)
        if closure is not None:
            extra["closure_note"] = closure.note
            extra["free_slots"] = await evening_free_slots(session, booking, now=occasion.now)
    await _booking_message(
        session,
        occasion,
        booking,
        booker,
        MessageKind.BOOKING_CANCELLED,
        extra,
        per_series=data.reason == "series_cancelled",
    )


async def _on_series(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    """A series whose bookings arrived before it is told now (else its first booking tells it)."""
    assert isinstance(data, bk.SeriesCreated)
    series = data.series
    first = await first_of_series(session, series.series_id)
    if first is None:
        return
    statuses = await series_statuses(session, series.series_id)
    context = {**booking_context(first), "occurrences": len(series.booking_ids)}
    targets: list[tuple[MessageKind, Recipient]] = []
    if "confirmed" in statuses and series.round_id is None:
        targets.append((MessageKind.BOOKING_CONFIRMED, await booker_recipient(session, series)))
    if "requested" in statuses:
        targets.append(
            (MessageKind.APPROVAL_REQUESTED, await site_recipient(session, first.site_id))
        )
    for kind, recipient in targets:
        await enqueue(
            session,
            dedupe_key=f"series:{series.series_id}:{kind}:{recipient.key}",
            recipient=recipient,
            kind=kind,
            context=context,
            now=occasion.now,
            sms=occasion.sms,
        )


async def _made_by_round(session: AsyncSession, series_id: UUID | None) -> bool:
    """Whether a seasonal round made the series (its result message tells the club)."""
    if series_id is None:
        return False
    series = await session.get(SeriesRecord, series_id)
    return series is not None and series.round_id is not None


# --- seasonal application rounds ------------------------------------------------------------


def club_link(portal_url: str, organisation_id: UUID, *, offers: bool = False) -> str:
    """The club's page in the portal (where its calendar link is), or its offers page."""
    link = f"{portal_url.rstrip('/')}/lag/{organisation_id}"
    return f"{link}/tilbud" if offers else link


def _weekly_time(time: bk.AllocatedTimeState) -> WeeklyTime:
    return WeeklyTime(
        weekday=time.weekday,
        start=time.local_start_time,
        end=time.local_end_time,
        site=time.site_name,
        space=time.space_name,
    )


async def _on_application_answered(
    session: AsyncSession, data: EventData, occasion: Occasion
) -> None:
    """One message to the applicant's contact: each section's result with its reasons."""
    assert isinstance(data, bk.ApplicationAnswered)
    application = data.application
    recipient = await organisation_recipient(session, application.organisation_id)
    sections = [
        SectionAnswer(
            name=section.name,
            status=section.status,
            granted=tuple(_weekly_time(time) for time in section.granted),
            explanation=section.explanation,
            explanation_nb=section.explanation_nb,
            waiting_position=section.waiting_position,
        )
        for section in application.sections
    ]
    await enqueue(
        session,
        dedupe_key=f"{MessageKind.ROUND_RESULT}:{application.application_id}:{recipient.key}",
        recipient=recipient,
        kind=MessageKind.ROUND_RESULT,
        context={
            "organisation": application.organisation_name,
            "round": application.round_name,
            "outcome": application.outcome,
            "season_first": application.season_first_date,
            "season_last": application.season_last_date,
            "sections": sections,
            "link": club_link(occasion.portal_url, application.organisation_id),
        },
        now=occasion.now,
        sms=occasion.sms,
        aggregate_id=application.application_id,
    )


async def _on_waiting_offer(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    """An open offer is told to the club once; its answer or lapse is not."""
    assert isinstance(data, bk.WaitingOfferMade)
    offer = data.offer
    if offer.status != "open" or offer.expires_at <= occasion.now:
        return
    recipient = await organisation_recipient(session, offer.organisation_id)
    await enqueue(
        session,
        dedupe_key=f"{MessageKind.WAITING_OFFER}:{offer.offer_id}:{recipient.key}",
        recipient=recipient,
        kind=MessageKind.WAITING_OFFER,
        context={
            "organisation": offer.organisation_name,
            "section": offer.section_name,
            "time": _weekly_time(offer.time),
            "first_date": offer.first_date,
            "last_date": offer.last_date,
            "expires_at": offer.expires_at,
            "single_date": offer.single_date,
            "link": club_link(occasion.portal_url, offer.organisation_id, offers=True),
        },
        now=occasion.now,
        sms=occasion.sms,
        aggregate_id=offer.offer_id,
    )


async def _on_organisation(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    """Messages queued before the organisation's contact was known go out now.

    Booking events and organisation events travel on different partitions, so a booking of a
    just-registered organisation can arrive first; its message was kept as undeliverable.
    """
    assert isinstance(data, bk.OrganisationRegistered | bk.OrganisationUpdated)
    recipient = await organisation_recipient(session, data.organisation.organisation_id)
    channel, address = recipient.address(sms=occasion.sms)
    if address is None:
        return
    await session.execute(
        update(Message)
        .where(
            col(Message.recipient) == recipient.key,
            col(Message.status) == "undeliverable",
            col(Message.channel) == channel.value,
            col(Message.created_at) >= occasion.now - UNDELIVERABLE_RESCUE,
        )
        .values(status="pending", address=address, last_error=None)
    )


# --- people and invitations -----------------------------------------------------------------


async def _on_profile(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    """A person's messages still waiting go to their profile's addresses from now on.

    Each message keeps its channel (its text was laid out for it) and takes the profile's
    address on that channel, if it has one; one kept as undeliverable for want of an address
    is sent after all.
    """
    assert isinstance(data, bk.ProfileChanged)
    recipient = await resident_recipient(session, data.profile.person_id)
    phone = recipient.phone if occasion.sms else None  # no SMS provider: no SMS address
    for channel, address in ((Channel.EMAIL, recipient.email), (Channel.SMS, phone)):
        if not address:
            continue
        await session.execute(
            update(Message)
            .where(
                col(Message.recipient) == recipient.key,
                col(Message.channel) == channel.value,
                or_(
                    col(Message.status) == "pending",
                    and_(
                        col(Message.status) == "undeliverable",
                        col(Message.created_at) >= occasion.now - UNDELIVERABLE_RESCUE,
                    ),
                ),
            )
            .values(status="pending", address=address, last_error=None)
        )


async def _on_invitation(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    """The invitee is emailed the link, in the invitation's language and the other one."""
    assert isinstance(data, bk.InvitationCreated)
    invitation = data.invitation
    if invitation.expires_at <= occasion.now:
        log.info("invitation.expired_unsent", invitation_id=str(invitation.invitation_id))
        return
    recipient = Recipient(
        recipient_key("invitee", invitation.invitation_id),
        invitation.email,
        None,
        Channel.EMAIL,
        Language(invitation.language),
    )
    text = Invitation(
        organisation=invitation.organisation_name,
        role=invitation.role,
        link=invitation_link(occasion.portal_url, invitation.code),
        expires_at=invitation.expires_at,
        invited_by=invitation.invited_by_name,
    )
    await enqueue_rendered(
        session,
        dedupe_key=f"{INVITATION_KIND}:{invitation.invitation_id}",
        recipient=recipient,
        kind=INVITATION_KIND,
        rendered=render_invitation(text, recipient.language),
        now=occasion.now,
        sms=occasion.sms,
        aggregate_id=invitation.invitation_id,
    )


# --- loans ----------------------------------------------------------------------------------


async def loan_context(session: AsyncSession, loan: bk.LoanState) -> dict[str, object]:
    return {
        "centre": loan.centre_name or await centre_name(session, loan.centre_id),
        "items": loan_items(loan),
        "pickup": loan.pickup_date,
        "due": loan.return_date,
    }


async def _on_loan_reserved(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.LoanReserved)
    loan = data.loan
    resident = await resident_recipient(session, loan.resident_id, loan.contact)
    context = await loan_context(session, loan)
    await enqueue(
        session,
        dedupe_key=f"{occasion.envelope.id}:{MessageKind.LOAN_RESERVED}:{resident.key}",
        recipient=resident,
        kind=MessageKind.LOAN_RESERVED,
        context=context,
        now=occasion.now,
        sms=occasion.sms,
    )
    for kind, day in (
        (MessageKind.REMINDER_PICKUP_TOMORROW, loan.pickup_date),
        (MessageKind.REMINDER_RETURN_TOMORROW, loan.return_date),
    ):
        await _reminder(
            session,
            occasion,
            kind=kind,
            day=day,
            aggregate_id=loan.loan_id,
            recipient=resident,
            context=context,
        )


async def _on_loan_picked_up(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.LoanPickedUp)
    await cancel_reminders(session, data.loan.loan_id, [MessageKind.REMINDER_PICKUP_TOMORROW])


async def _on_loan_ended(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.LoanReturned | bk.LoanCancelled | bk.LoanNoShow)
    await cancel_reminders(session, data.loan.loan_id)


async def _on_loan_overdue(session: AsyncSession, data: EventData, occasion: Occasion) -> None:
    assert isinstance(data, bk.LoanOverdue)
    loan = data.loan
    await cancel_reminders(session, loan.loan_id)
    resident = await resident_recipient(session, loan.resident_id, loan.contact)
    await enqueue(
        session,
        dedupe_key=f"{occasion.envelope.id}:{MessageKind.LOAN_OVERDUE}:{resident.key}",
        recipient=resident,
        kind=MessageKind.LOAN_OVERDUE,
        context=await loan_context(session, loan),
        now=occasion.now,
        sms=occasion.sms,
    )


_Rule = Callable[[AsyncSession, EventData, Occasion], Awaitable[None]]

_RULES: dict[type[EventData], _Rule] = {
    bk.OrganisationRegistered: _on_organisation,
    bk.OrganisationUpdated: _on_organisation,
    bk.ProfileChanged: _on_profile,
    bk.InvitationCreated: _on_invitation,
    bk.BookingRequested: _on_requested,
    bk.BookingConfirmed: _on_confirmed,
    bk.BookingRejected: _on_rejected,
    bk.BookingCancelled: _on_cancelled,
    bk.SeriesCreated: _on_series,
    bk.ApplicationAnswered: _on_application_answered,
    bk.WaitingOfferMade: _on_waiting_offer,
    bk.LoanReserved: _on_loan_reserved,
    bk.LoanPickedUp: _on_loan_picked_up,
    bk.LoanReturned: _on_loan_ended,
    bk.LoanCancelled: _on_loan_ended,
    bk.LoanNoShow: _on_loan_ended,
    bk.LoanOverdue: _on_loan_overdue,
}

__all__ = [
    "REMINDER_KINDS",
    "Occasion",
    "booking_context",
    "cancel_reminders",
    "enqueue",
    "enqueue_rendered",
    "queue_messages",
]


# --- requisitions: one message per person, not one per booking ---------------------------


async def _on_requisition_applied(
    session: AsyncSession, data: EventData, occasion: Occasion
) -> None:
    assert isinstance(data, bk.RequisitionApplied)
    grouped: dict[str, tuple[Recipient, list[HeldTime]]] = {}
    for booking in data.bookings:
        recipient = await booker_recipient(session, booking)
        place = f"{booking.site_name}, {booking.space_name}"
        item = HeldTime(place, start=booking.start, end=booking.end)
        grouped.setdefault(recipient.key, (recipient, []))[1].append(item)
    for loan in data.loans:
        recipient = await resident_recipient(session, loan.resident_id, loan.contact)
        item = HeldTime(loan.centre_name, first_day=loan.pickup_date, last_day=loan.return_date)
        grouped.setdefault(recipient.key, (recipient, []))[1].append(item)
    await _requisition_messages(session, occasion, data.requisition, REQUISITION_CANCELLED, grouped)


async def _on_requisition_released(
    session: AsyncSession, data: EventData, occasion: Occasion
) -> None:
    assert isinstance(data, bk.RequisitionReleased)
    grouped: dict[str, tuple[Recipient, list[HeldTime]]] = {}
    for booking in data.offered:
        recipient = await booker_recipient(session, booking)
        place = f"{booking.site_name}, {booking.space_name}"
        item = HeldTime(place, start=booking.start, end=booking.end)
        grouped.setdefault(recipient.key, (recipient, []))[1].append(item)
    await _requisition_messages(
        session, occasion, data.requisition, REQUISITION_OFFERED_BACK, grouped
    )


async def _requisition_messages(
    session: AsyncSession,
    occasion: Occasion,
    requisition: RequisitionState,
    kind: str,
    grouped: Mapping[str, tuple[Recipient, list[HeldTime]]],
) -> None:
    for key, (recipient, items) in grouped.items():
        channel, _ = recipient.address(sms=occasion.sms)
        rendered = render_requisition(
            kind, requisition.site_name, requisition.reason, items, recipient.language, channel
        )
        await enqueue_rendered(
            session,
            dedupe_key=f"requisition:{requisition.requisition_id}:{kind}:{key}",
            recipient=recipient,
            kind=kind,
            rendered=rendered,
            now=occasion.now,
            sms=occasion.sms,
            aggregate_id=requisition.requisition_id,
        )


_RULES[bk.RequisitionApplied] = _on_requisition_applied
_RULES[bk.RequisitionReleased] = _on_requisition_released
