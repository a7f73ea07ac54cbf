"""The physical limit: asyncpg writing what a confirmed booking writes, and nothing else.

The raw database gets the booking service's own migrations, so the `booking` row, its
`booking_occupancy` row under the same two exclusion constraints, and the `outbox` row are the
same tables, indexes and constraints. Each transaction inserts one booking with its occupancy
and its outbox row (copied in size and shape from a row the service wrote in this run) over a
pool of as many connections as the service can hold for that many clients (one per client, at
most the 20 of its engine's pool). No reads, no checks, no HTTP,
no ORM: what is left is the database's own cost.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bench.dataset import Slot
from bench.measure import Job, Timing, run_concurrently
from samspill.infra import plain_postgres_url
from samspill.migrations import upgrade
from samspill.outbox import bucket_of

# A service's engine holds at most 10 + 10 overflow connections (`samspill.db.create_engine`).
SERVICE_POOL_MAX = 20

INSERT_ORGANISATION = """
INSERT INTO organisation (id, org_number, name, category, contact, created_by)
VALUES ($1, '974760673', 'Bench Idrettslag', 'sports', '{}'::jsonb, 'bench')
"""
INSERT_BOOKING = """
INSERT INTO booking (id, space_id, site_id, organisation_id, booker_sub, activity, audience,
    participants, start, "end", status, price_ore, price_explanation, price_explanation_en,
    version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'confirmed', $11, $12, $13, 1, $14, $14)
"""
INSERT_OCCUPANCY = """
INSERT INTO booking_occupancy (booking_id, space_id, own, during, active)
VALUES ($1, $2, true, tstzrange($3, $4, '[)'), true)
"""
INSERT_OUTBOX = """
INSERT INTO outbox (event_id, topic, key, bucket, event_type, headers, value)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
"""


@dataclass(frozen=True)
class Template:
    """A booking and its outbox row as the service wrote them."""

    booking: dict[str, Any]
    topic: str
    event_type: str
    headers: list[list[str]]
    value: bytes


async def template_from(service_database_url: str) -> Template:
    conn = await asyncpg.connect(plain_postgres_url(service_database_url), timeout=10)
    try:
        booking = await conn.fetchrow(
            "SELECT * FROM booking WHERE status = 'confirmed' ORDER BY created_at DESC LIMIT 1"
        )
        outbox = await conn.fetchrow(
            "SELECT topic, event_type, headers, value FROM outbox "
            "WHERE event_type LIKE '%booking.confirmed%' ORDER BY id DESC LIMIT 1"
        )
    finally:
        await conn.close()
    if booking is None or outbox is None:
        raise RuntimeError("the booking service wrote no confirmed booking to copy")
    headers = outbox["headers"]
    return Template(
        booking=dict(booking),
        topic=outbox["topic"],
        event_type=outbox["event_type"],
        headers=json.loads(headers) if isinstance(headers, str) else headers,
        value=bytes(outbox["value"]),
    )


async def prepare(database_url: str, migrations_dir: Any) -> uuid.UUID:
    """Migrate the raw database like the booking service's; returns the organisation's id."""
    await asyncio.to_thread(upgrade, migrations_dir, database_url)
    organisation_id = uuid.uuid4()
    conn = await asyncpg.connect(plain_postgres_url(database_url), timeout=10)
    try:
        await conn.execute(INSERT_ORGANISATION, organisation_id)
    finally:
        await conn.close()
    return organisation_id


def _rows(
    template: Template, organisation_id: uuid.UUID, site_id: uuid.UUID, slot: Slot
) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    booking_id, event_id = uuid.uuid4(), uuid.uuid4().hex
    space_id = uuid.UUID(slot.space_id)
    b = template.booking
    booking = (
        booking_id,
        space_id,
        site_id,
        organisation_id,
        b["booker_sub"],
        b["activity"],
        b["audience"],
        b["participants"],
        slot.start,
        slot.end,
        b["price_ore"],
        b["price_explanation"],
        b["price_explanation_en"],
        datetime.now(UTC),
    )
    occupancy = (booking_id, space_id, slot.start, slot.end)
    headers = [[name, event_id if name == "ce_id" else raw] for name, raw in template.headers]
    outbox = (
        event_id,
        template.topic,
        str(space_id),
        bucket_of(str(space_id)),
        template.event_type,
        json.dumps(headers),
        template.value,
    )
    return booking, occupancy, outbox


async def measure(
    database_url: str,
    template: Template,
    organisation_id: uuid.UUID,
    slots: Iterator[Slot],
    clients: int,
    count: int,
    timeout_s: float,
) -> Timing:
    """`count` booking transactions from `clients` workers over as many connections as the
    service could use for them; rows are built beforehand."""
    site_id = uuid.uuid4()
    prepared = [_rows(template, organisation_id, site_id, next(slots)) for _ in range(count)]
    connections = min(clients, SERVICE_POOL_MAX)
    pool = await asyncpg.create_pool(
        plain_postgres_url(database_url), min_size=connections, max_size=connections
    )
    try:
        rows = iter(prepared)

        def jobs() -> Iterator[Job]:
            while True:
                yield lambda: _insert(pool, *next(rows))

        return await run_concurrently(clients, jobs(), count, timeout_s)
    finally:
        await pool.close()


async def _insert(
    pool: asyncpg.Pool,
    booking: tuple[Any, ...],
    occupancy: tuple[Any, ...],
    outbox: tuple[Any, ...],
) -> str:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(INSERT_BOOKING, *booking)
        await conn.execute(INSERT_OCCUPANCY, *occupancy)
        await conn.execute(INSERT_OUTBOX, *outbox)
    return "committed"
