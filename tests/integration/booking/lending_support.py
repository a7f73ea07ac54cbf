"""Helpers of the lending tests: facilities stock sent through the broker, waits, queries."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from samspill.events import facilities as fe
from samspill.events.base import Envelope, EventData
from samspill.kafka import KafkaConfig, ensure_topics, new_producer, start_client, stop_client
from tests.dates import today
from tests.support import RunningService, eventually


def in_days(days: int) -> date:
    return today() + timedelta(days=days)


async def send_facilities(kafka: KafkaConfig, events: Sequence[EventData], key: str) -> None:
    """Publish real facilities events (CloudEvents binary mode) to `samspill.facilities`."""
    await ensure_topics(kafka, [fe.TOPIC])
    producer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        for event in events:
            envelope = Envelope(data=event, source="/samspill/facilities", subject=key)
            await producer.send_and_wait(
                fe.TOPIC, value=envelope.value(), key=key.encode(), headers=envelope.headers()
            )
    finally:
        await stop_client(producer, kafka.request_timeout_s)


async def grant_staff(
    svc: RunningService, kafka: KafkaConfig, sub: str, centre_ids: Sequence[uuid.UUID]
) -> dict[str, str]:
    """Make `sub` staff of the centres as facilities does (its `StaffGrantsChanged`, the
    person's whole grants, through the broker); returns their token once booking applied it."""
    person = svc.person_id(sub)
    grants = fe.StaffGrantsState(person_id=person, site_ids=[], centre_ids=list(centre_ids))
    before = await applied_events(svc)
    await send_facilities(kafka, [fe.StaffGrantsChanged(grants=grants)], key=person)

    async def applied() -> bool:
        return await applied_events(svc) > before

    await eventually(applied)
    return svc.token(sub)


async def applied_events(svc: RunningService) -> int:
    """Facilities events booking's consumer has applied."""
    return int(await scalar(svc, "SELECT count(*) FROM inbox WHERE consumer = 'booking'"))


def sessions(svc: RunningService) -> async_sessionmaker[AsyncSession]:
    return svc.app.state.sessions  # type: ignore[no-any-return]


async def scalar(svc: RunningService, sql: str, **params: Any) -> Any:
    async with sessions(svc)() as session:
        return (await session.execute(text(sql), params)).scalar()


async def rows(svc: RunningService, sql: str, **params: Any) -> list[Any]:
    async with sessions(svc)() as session:
        return list((await session.execute(text(sql), params)).all())


async def outbox_events(svc: RunningService, loan_id: uuid.UUID | str) -> list[str]:
    """Types of the loan events recorded for one loan, oldest first."""
    found = await rows(
        svc,
        "SELECT event_type FROM outbox WHERE headers::text LIKE :subject ORDER BY id",
        subject=f'%"ce_subject", "{loan_id}"%',
    )
    return [row[0].removeprefix("samspill.booking.") for row in found]


async def reserved_event(svc: RunningService, loan_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The lines of the loan's `loan.reserved` event as recorded in the outbox."""
    value = await scalar(
        svc,
        "SELECT value FROM outbox WHERE event_type = 'samspill.booking.loan.reserved.v1' "
        "AND headers::text LIKE :subject",
        subject=f'%"ce_subject", "{loan_id}"%',
    )
    lines: list[dict[str, Any]] = json.loads(bytes(value))["loan"]["lines"]
    return lines


async def double_lent_units(svc: RunningService) -> int:
    """Pairs of active rows of one unit with overlapping periods: must always be 0."""
    return int(
        await scalar(
            svc,
            "SELECT count(*) FROM loan_unit a JOIN loan_unit b ON a.unit_id = b.unit_id "
            "AND a.id < b.id AND a.active AND b.active AND a.period && b.period",
        )
    )


@dataclass
class Centre:
    """An equipment centre with item types and units, as facilities would describe it."""

    name: str
    reservation_days: int = 14
    centre_id: uuid.UUID = field(default_factory=uuid.uuid4)
    item_types: dict[str, fe.ItemTypeState] = field(default_factory=dict)
    units: dict[str, list[fe.UnitState]] = field(default_factory=dict)

    def site_event(self) -> fe.SiteRegistered:
        return fe.SiteRegistered(
            site=fe.SiteState(
                site_id=self.centre_id,
                kind="equipment_centre",
                name=self.name,
                address="Storgata 1, 2000 Lillestrøm",
                district="Lillestrøm",
                contact=fe.SiteContact(name="BUA", email="bua@example.org"),
                accessibility=fe.Accessibility(),
                lending_reservation_days=self.reservation_days,
            )
        )

    def add_type(
        self, key: str, units: int, max_loan_days: int = 7, retired: bool = False
    ) -> list[EventData]:
        item_type = fe.ItemTypeState(
            item_type_id=uuid.uuid4(),
            centre_id=self.centre_id,
            name=key,
            category="vinter",
            max_loan_days=max_loan_days,
            retired=retired,
        )
        self.item_types[key] = item_type
        self.units[key] = [
            fe.UnitState(
                unit_id=uuid.uuid4(),
                item_type_id=item_type.item_type_id,
                centre_id=self.centre_id,
                label=f"{key}-{n:02d}",
                condition="ok",
            )
            for n in range(1, units + 1)
        ]
        added: list[EventData] = [fe.UnitAdded(unit=unit) for unit in self.units[key]]
        return [fe.ItemTypeRegistered(item_type=item_type), *added]

    def type_id(self, key: str) -> str:
        return str(self.item_types[key].item_type_id)


async def stock_centre(
    svc: RunningService, kafka: KafkaConfig, centre: Centre, types: dict[str, tuple[int, int]]
) -> None:
    """Send the centre and its item types (units, max loan days) through the broker and wait
    until booking has applied them."""
    await send_facilities(kafka, [centre.site_event()], key=str(centre.centre_id))
    for key, (units, max_days) in types.items():
        events = centre.add_type(key, units, max_days)
        await send_facilities(kafka, events, key=centre.type_id(key))
    expected = sum(units for units, _ in types.values())

    async def applied() -> bool:
        count = await scalar(
            svc, "SELECT count(*) FROM lending_unit WHERE centre_id = :c", c=centre.centre_id
        )
        named = await scalar(
            svc, "SELECT count(*) FROM read_site WHERE site_id = :c", c=centre.centre_id
        )
        return bool(count == expected and named == 1)

    await eventually(applied)


def contact(email: str = "familie@example.org") -> dict[str, Any]:
    return {"name": "Familien Hansen", "email": email, "language": "nb", "channel": "email"}


def loan_request(
    lines: Sequence[tuple[str, int]], pickup: date, return_date: date
) -> dict[str, Any]:
    return {
        "pickup_date": pickup.isoformat(),
        "return_date": return_date.isoformat(),
        "lines": [{"item_type_id": type_id, "quantity": n} for type_id, n in lines],
        "contact": contact(),
    }


def utc_now() -> datetime:
    return datetime.now(UTC)
