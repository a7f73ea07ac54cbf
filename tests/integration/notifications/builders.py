"""Events as facilities and booking publish them, grants given through those events, an SMTP
server, and small polling functions."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller

from notifications.readmodel.queries import load_grants
from samspill.auth import Grants
from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import Envelope, EventData
from samspill.infra import free_port
from samspill.kafka import KafkaConfig, new_producer, start_client, stop_client
from samspill.outbox import partition_of, state_record_of
from tests.support import RunningService, eventually

OSLO = ZoneInfo("Europe/Oslo")


def oslo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def next_weekday(weekday: int, *, after: date | None = None, weeks: int = 1) -> date:
    """A date on `weekday` at least `weeks` weeks after `after` (default: today)."""
    day = (after or datetime.now(OSLO).date()) + timedelta(weeks=weeks)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def publish(kafka: KafkaConfig, *events: tuple[EventData, str] | Envelope) -> None:
    """Publish events as the owning service's relay would (the envelope's own id when given):
    a state event to the state topic too, after the event topic."""
    producer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        for item in events:
            if isinstance(item, Envelope):
                envelope, key = item, item.subject or "k"
            else:
                data, key = item
                envelope = Envelope(data=data, source="/samspill/test", subject=key)
            await _send(producer, kafka, envelope, key.encode())
    finally:
        await stop_client(producer, kafka.request_timeout_s)


async def _send(
    producer: AIOKafkaProducer, kafka: KafkaConfig, envelope: Envelope, key: bytes
) -> None:
    topic, value, headers = envelope.data.topic, envelope.value(), envelope.headers()
    timeout = kafka.request_timeout_s
    await asyncio.wait_for(producer.send_and_wait(topic, value, key=key, headers=headers), timeout)
    state = state_record_of(topic, value, headers)
    if state is not None:
        partitions = await asyncio.wait_for(producer.partitions_for(state.topic), timeout)
        await asyncio.wait_for(
            producer.send_and_wait(
                state.topic,
                state.value,
                key=state.key,
                headers=headers if state.value is not None else [],
                partition=partition_of(partitions, key),
            ),
            timeout,
        )


# --- facilities -----------------------------------------------------------------------------


@dataclass
class School:
    """A school with a gym whose two halves conflict with it, and its release window."""

    site_id: uuid.UUID = field(default_factory=uuid.uuid4)
    gym_id: uuid.UUID = field(default_factory=uuid.uuid4)
    hall_id: uuid.UUID = field(default_factory=uuid.uuid4)
    name: str = "Skjetten skole"
    email: str = "skjetten.skole@lillestrom.kommune.no"

    def site(self) -> fa.SiteState:
        return fa.SiteState(
            site_id=self.site_id,
            kind="school",
            name=self.name,
            address="Skjettenveien 1, 2013 Skjetten",
            district="Skjetten",
            contact=fa.SiteContact(name="Skolekontoret", email=self.email, phone="+4764000000"),
            accessibility=fa.Accessibility(),
        )

    def space(self, space_id: uuid.UUID, name: str) -> fa.SpaceState:
        return fa.SpaceState(
            space_id=space_id,
            site_id=self.site_id,
            name=name,
            kind="gym" if space_id == self.gym_id else "hall",
            capacity=60,
            rules=fa.BookingRulesState(
                min_minutes=60,
                max_minutes=240,
                granularity_minutes=30,
                horizon_days=365,
                buffer_minutes=0,
                cancellation_deadline_hours=24,
                approval_required=False,
                who_may_book="organisations",
            ),
        )

    def window(self, space_id: uuid.UUID, first: date, last: date) -> fa.WindowState:
        return fa.WindowState(
            window_id=uuid.uuid5(space_id, "window"),
            space_id=space_id,
            site_id=self.site_id,
            kind="weekly",
            weekdays=[0, 1, 2, 3, 4, 5, 6],
            start_time=time(17),
            end_time=time(22),
            valid_from=first,
            valid_to=last,
        )

    def registration(self, first: date, last: date) -> list[tuple[EventData, str]]:
        site = str(self.site_id)
        return [
            (fa.SiteRegistered(site=self.site()), site),
            (fa.SpaceRegistered(space=self.space(self.gym_id, "Gymsal")), str(self.gym_id)),
            (fa.SpaceRegistered(space=self.space(self.hall_id, "Aula")), str(self.hall_id)),
            (
                fa.WindowReleased(window=self.window(self.gym_id, first, last)),
                str(self.gym_id),
            ),
            (
                fa.WindowReleased(window=self.window(self.hall_id, first, last)),
                str(self.hall_id),
            ),
        ]

    def closure(self, start: datetime, end: datetime, note: str) -> fa.ClosureScheduled:
        return fa.ClosureScheduled(
            closure=fa.ClosureState(
                closure_id=uuid.uuid4(),
                site_id=self.site_id,
                space_id=self.gym_id,
                start=start,
                end=end,
                reason="own_event",
                note=note,
            )
        )


# --- booking --------------------------------------------------------------------------------


@dataclass
class Club:
    organisation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    name: str = "Skjetten Håndballklubb"
    email: str = "post@skjetten-handball.no"
    phone: str = "+4791234567"
    contact_name: str = "Kåre Ødegård"

    def registered(self) -> tuple[EventData, str]:
        state = bk.OrganisationState(
            organisation_id=self.organisation_id,
            org_number="974760673",
            name=self.name,
            category="sports",
            contact=bk.Contact(name=self.contact_name, email=self.email, phone=self.phone),
        )
        return bk.OrganisationRegistered(organisation=state), str(self.organisation_id)


def booking_state(
    school: School,
    club: Club,
    start: datetime,
    end: datetime,
    *,
    status: bk.BookingStatus = "confirmed",
    version: int = 1,
    booking_id: uuid.UUID | None = None,
    series_id: uuid.UUID | None = None,
    space_id: uuid.UUID | None = None,
    changed: datetime | None = None,
) -> bk.BookingState:
    stamp = changed or datetime(2026, 1, 5, 12, tzinfo=UTC)
    space = space_id or school.gym_id
    return bk.BookingState(
        booking_id=booking_id or uuid.uuid4(),
        series_id=series_id,
        space_id=space,
        space_name="Gymsal" if space == school.gym_id else "Aula",
        site_id=school.site_id,
        site_name=school.name,
        organisation_id=club.organisation_id,
        organisation_name=club.name,
        activity="håndball G12",
        audience="children_youth",
        participants=18,
        start=start,
        end=end,
        local_start=start.astimezone(OSLO).replace(tzinfo=None).isoformat(),
        local_end=end.astimezone(OSLO).replace(tzinfo=None).isoformat(),
        status=status,
        price_ore=0,
        price_explanation="Gratis: barn og unge",
        version=version,
        created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
        updated_at=stamp,
    )


def changed(state: bk.BookingState, **updates: Any) -> bk.BookingState:
    """The next version of a booking."""
    return state.model_copy(
        update={"version": state.version + 1, "updated_at": datetime.now(UTC), **updates}
    )


def loan_state(
    resident: str,
    pickup: date,
    return_date: date,
    *,
    status: bk.LoanStatus = "reserved",
    version: int = 1,
    loan_id: uuid.UUID | None = None,
    email: str = "familien@example.no",
) -> bk.LoanState:
    return bk.LoanState(
        loan_id=loan_id or uuid.uuid4(),
        resident_id=resident,
        centre_id=uuid.UUID(int=7),
        centre_name="BUA Lillestrøm",
        pickup_date=pickup,
        return_date=return_date,
        status=status,
        lines=[
            bk.LoanLine(
                item_type_id=uuid.UUID(int=8),
                item_type_name="Langrennski 130 cm",
                unit_ids=[uuid.UUID(int=81), uuid.UUID(int=82)],
            )
        ],
        contact=bk.Contact(name="Familien Hansen", email=email),
        version=version,
        created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
        updated_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
    )


# --- grants, profiles and invitations -------------------------------------------------------


def membership(
    organisation_id: uuid.UUID, person_id: str, role: str | None = "booker"
) -> tuple[EventData, str]:
    """Booking's event for a membership (role None: no longer a member), keyed as booking does."""
    state = bk.MembershipState.model_validate(
        {"organisation_id": organisation_id, "person_id": person_id, "role": role}
    )
    return bk.MembershipChanged(membership=state), str(organisation_id)


def staff_grants(
    person_id: str,
    site_ids: list[uuid.UUID] | None = None,
    centre_ids: list[uuid.UUID] | None = None,
) -> tuple[EventData, str]:
    """Facilities' event with the whole of one person's staff grants."""
    state = fa.StaffGrantsState(
        person_id=person_id, site_ids=site_ids or [], centre_ids=centre_ids or []
    )
    return fa.StaffGrantsChanged(grants=state), person_id


async def grants_of(service: RunningService, sub: str) -> Grants:
    """What the service's grant loader gives the person `sub` right now."""
    async with service.app.state.runtime.sessions() as session:
        return await load_grants(session, service.person_id(sub))


async def member_of(
    service: RunningService,
    kafka: KafkaConfig,
    sub: str,
    organisation_id: uuid.UUID,
    role: str | None = "booker",
) -> dict[str, str]:
    """Make `sub` a member of the organisation (or, with role None, no longer one) through
    booking's event on the broker; returns their token once the service has applied it."""
    await publish(kafka, membership(organisation_id, service.person_id(sub), role))

    async def applied() -> bool:
        held = (await grants_of(service, sub)).organisations.get(str(organisation_id))
        return held == role

    await eventually(applied)
    return service.token(sub)


async def manager_of(
    service: RunningService, kafka: KafkaConfig, sub: str, site_ids: list[uuid.UUID]
) -> dict[str, str]:
    """Give `sub` exactly these sites (none: no longer a manager) through facilities' event;
    returns their token once the service has applied it."""
    await publish(kafka, staff_grants(service.person_id(sub), site_ids))
    wanted = frozenset(str(site_id) for site_id in site_ids)

    async def applied() -> bool:
        return (await grants_of(service, sub)).site_ids == wanted

    await eventually(applied)
    return service.token(sub)


def profile(
    person_id: str,
    *,
    email: str | None,
    phone: str | None = None,
    display_name: str | None = None,
    language: bk.Language = "nb",
    channel: bk.Channel = "email",
) -> tuple[EventData, str]:
    state = bk.ProfileState(
        person_id=person_id,
        display_name=display_name,
        email=email,
        phone=phone,
        language=language,
        channel=channel,
    )
    return bk.ProfileChanged(profile=state), person_id


def invitation(
    club: Club,
    email: str,
    expires_at: datetime,
    *,
    role: str = "booker",
    language: bk.Language = "nb",
    invited_by: str | None = "Kåre Ødegård",
) -> bk.InvitationCreated:
    state = bk.InvitationState.model_validate(
        {
            "invitation_id": uuid.uuid4(),
            "organisation_id": club.organisation_id,
            "organisation_name": club.name,
            "email": email,
            "role": role,
            "code": f"inv-{uuid.uuid4().hex}",
            "expires_at": expires_at,
            "invited_by_name": invited_by,
            "language": language,
        }
    )
    return bk.InvitationCreated(invitation=state)


# --- SMTP -----------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What a real SMTP server (aiosmtpd) received; `refuse_first` answers 451 that many times.
    `connections` holds the SMTP session of each message (one object per connection)."""

    refuse_first: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    refused: int = 0
    connections: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if not any(known is session for known in self.connections):
            self.connections.append(session)
        if self.refused < self.refuse_first:
            self.refused += 1
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]

    def bodies(self, address: str) -> list[str]:
        return [_text(m) for m in self.to(address)]


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@contextlib.asynccontextmanager
async def smtp_server(mailbox: Mailbox) -> AsyncIterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        yield port
    finally:
        await asyncio.to_thread(controller.stop)
