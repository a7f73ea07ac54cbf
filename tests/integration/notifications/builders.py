"""Events as facilities and booking publish them, an SMTP server, and small polling helpers."""

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

from aiosmtpd.controller import Controller

from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import Envelope, EventData
from samspill.infra import free_port
from samspill.kafka import KafkaConfig, new_producer, start_client, stop_client

OSLO = ZoneInfo("Europe/Oslo")


def oslo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def next_weekday(weekday: int, *, after: date | None = None, weeks: int = 1) -> date:
    """A date on `weekday` at least `weeks` weeks after `after` (default: today)."""
    day = (after or datetime.now(OSLO).date()) + timedelta(weeks=weeks)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def publish(kafka: KafkaConfig, *events: tuple[EventData, str] | Envelope) -> None:
    """Publish events as the owning service's relay would (the envelope's own id when given)."""
    producer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        for item in events:
            if isinstance(item, Envelope):
                envelope, key = item, item.subject or "k"
            else:
                data, key = item
                envelope = Envelope(data=data, source="/samspill/test", subject=key)
            await asyncio.wait_for(
                producer.send_and_wait(
                    envelope.data.topic,
                    envelope.value(),
                    key=key.encode(),
                    headers=envelope.headers(),
                ),
                kafka.request_timeout_s,
            )
    finally:
        await stop_client(producer, kafka.request_timeout_s)


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


# --- SMTP -----------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What a real SMTP server (aiosmtpd) received; `refuse_first` answers 451 that many times."""

    refuse_first: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
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
