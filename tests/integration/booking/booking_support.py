"""Helpers for booking integration tests: facilities events on the topic, waiting, org numbers."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from booking.domain import org_number_check_digit
from samspill.db import create_engine
from samspill.events import facilities as fe
from samspill.events.base import Envelope, EventData
from samspill.kafka import KafkaConfig, new_producer, start_client, stop_client
from samspill.recurrence import resolve_local

FACILITIES_SOURCE = "/samspill/facilities"


def org_number(seed: int) -> str:
    """A valid organisasjonsnummer (mod-11) derived from `seed`."""
    candidate = seed
    while True:
        first_eight = f"9{candidate % 10_000_000:07d}"
        check = org_number_check_digit(first_eight)
        if check is not None:
            return f"{first_eight}{check}"
        candidate += 1


def site(site_id: uuid.UUID, name: str, *, district: str = "Lillestrøm sentrum") -> fe.SiteState:
    return fe.SiteState(
        site_id=site_id,
        kind="school",
        name=name,
        address="Skolegata 1, 2000 Lillestrøm",
        district=district,
        contact=fe.SiteContact(name="Skolekontoret", email="post@skole.example"),
        accessibility=fe.Accessibility(step_free_entrance=True, parking=True),
    )


def rules(**overrides: Any) -> fe.BookingRulesState:
    values: dict[str, Any] = {
        "min_minutes": 60,
        "max_minutes": 240,
        "granularity_minutes": 30,
        "horizon_days": 730,
        "buffer_minutes": 0,
        "cancellation_deadline_hours": 24,
        "approval_required": False,
        "who_may_book": "organisations",
        **overrides,
    }
    return fe.BookingRulesState(**values)


def space(
    space_id: uuid.UUID,
    site_id: uuid.UUID,
    name: str,
    *,
    kind: str = "gym",
    capacity: int = 60,
    conflicts_with: Sequence[uuid.UUID] = (),
    parent_id: uuid.UUID | None = None,
    retired: bool = False,
    **rule_overrides: Any,
) -> fe.SpaceState:
    return fe.SpaceState(
        space_id=space_id,
        site_id=site_id,
        name=name,
        kind=kind,
        capacity=capacity,
        features=["basketball", "changing_rooms"],
        activities=["sport"],
        parent_id=parent_id,
        conflicts_with=list(conflicts_with),
        rules=rules(**rule_overrides),
        retired=retired,
    )


def evening_window(
    space_id: uuid.UUID, site_id: uuid.UUID, valid_from: date, valid_to: date
) -> fe.WindowState:
    """Every day 17:00–22:00 between the dates."""
    return fe.WindowState(
        window_id=uuid.uuid4(),
        space_id=space_id,
        site_id=site_id,
        kind="weekly",
        weekdays=list(range(7)),
        start_time=time(17, 0),
        end_time=time(22, 0),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def closure(
    site_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    space_id: uuid.UUID | None = None,
    reason: str = "exam",
) -> fe.ClosureState:
    return fe.ClosureState(
        closure_id=uuid.uuid4(),
        site_id=site_id,
        space_id=space_id,
        start=start,
        end=end,
        reason=reason,  # type: ignore[arg-type]
    )


def key_of(event: EventData) -> str:
    if isinstance(event, fe.StaffGrantsChanged):
        return event.grants.person_id
    for name in ("space", "window", "closure", "site", "rule"):
        state = getattr(event, name, None)
        if state is not None:
            space_id = getattr(state, "space_id", None)
            return str(space_id or getattr(state, "site_id", None) or state.rule_id)
    raise ValueError(f"no key for {event!r}")


async def publish(kafka: KafkaConfig, events: Sequence[EventData]) -> None:
    """Send facilities contract events to `samspill.facilities`, as facilities' relay would."""
    producer = new_producer(kafka)
    await start_client(producer, kafka.request_timeout_s)
    try:
        for event in events:
            key = key_of(event)
            envelope = Envelope(data=event, source=FACILITIES_SOURCE, subject=key)
            await asyncio.wait_for(
                producer.send_and_wait(
                    fe.TOPIC, value=envelope.value(), key=key.encode(), headers=envelope.headers()
                ),
                kafka.request_timeout_s,
            )
    finally:
        await stop_client(producer, kafka.request_timeout_s)


async def wait_until(
    check: Callable[[], Awaitable[bool]], timeout: float = 20.0, what: str = "condition"
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


class Database:
    """Direct SQL on the service's database, for waiting and for checking what is stored."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, pool_size=2)

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def execute(self, sql: str, **params: Any) -> int:
        """Run a statement and commit it; the rows it changed."""
        async with self.engine.begin() as conn:
            return int((await conn.execute(text(sql), params)).rowcount)

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        """The data of the events of one type booking recorded, oldest first."""
        rows = await self.rows(
            "SELECT value FROM outbox WHERE event_type = :type ORDER BY id", type=event_type
        )
        return [json.loads(bytes(row.value)) for row in rows]

    async def applied(self) -> int:
        return int(await self.scalar("SELECT count(*) FROM inbox WHERE consumer = 'booking'"))

    async def wait_applied(self, count: int) -> None:
        async def done() -> bool:
            return await self.applied() >= count

        await wait_until(done, what=f"{count} facilities events applied")

    async def close(self) -> None:
        await self.engine.dispose()


async def feed(kafka: KafkaConfig, db: Database, events: Sequence[EventData]) -> None:
    """Publish events and wait until the booking consumer has applied them."""
    before = await db.applied()
    await publish(kafka, events)
    await db.wait_applied(before + len(events))


def next_weekday(after: date, weekday: int) -> date:
    return after + timedelta(days=(weekday - after.weekday()) % 7 or 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Oslo wall time on `day`, as a UTC instant."""
    return resolve_local(day, time(hour, minute))


def iso(instant: datetime) -> str:
    return instant.isoformat()
