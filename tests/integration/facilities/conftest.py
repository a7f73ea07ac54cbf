"""A facilities app on the real test infrastructure, and a probe of what it wrote to its outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from samspill.db import create_engine
from samspill.kafka import KafkaConfig
from tests.contract.subjects import AGGREGATE_ID, outbox_subject_errors
from tests.contract.subjects import subject_errors as shared_subject_errors
from tests.support import RunningService, running_service, settings_for

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts" / "events"
TABLES = (
    "site",
    "space",
    "release_window",
    "closure",
    "price_rule",
    "item_type",
    "equipment_unit",
    "staff_grant",
    "outbox",
)
FACILITIES = "samspill.facilities."
STAFF_GRANTS_CHANGED = f"{FACILITIES}staff_grants.changed.v1"


@cache
def validator(event_type: str) -> Draft202012Validator:
    schema = json.loads((CONTRACTS / f"{event_type}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass
class OutboxProbe:
    """Reads the events a request recorded: the outbox rows added since the last look."""

    engine: AsyncEngine
    seen: int = 0

    async def new_events(self) -> list[tuple[str, dict[str, Any]]]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT id, event_type, value FROM outbox WHERE id > :seen ORDER BY id"),
                    {"seen": self.seen},
                )
            ).all()
        if rows:
            self.seen = rows[-1].id
        return [(row.event_type, json.loads(row.value)) for row in rows]

    async def expect(self, *short_types: str) -> list[dict[str, Any]]:
        """Exactly these events (types without prefix and version), each valid by its schema."""
        events = await self.new_events()
        wanted = [f"{FACILITIES}{short}.v1" for short in short_types]
        assert [event_type for event_type, _ in events] == wanted
        for event_type, data in events:
            errors = sorted(validator(event_type).iter_errors(data), key=str)
            assert not errors, f"{event_type}: {errors[0].message}"
        return [data for _, data in events]

    async def expect_one(self, short_type: str) -> dict[str, Any]:
        return (await self.expect(short_type))[0]

    async def counts(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            return {
                table: int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
                for table in TABLES
            }


@dataclass
class Facilities:
    svc: RunningService
    outbox: OutboxProbe
    kafka: KafkaConfig

    @property
    def admin(self) -> dict[str, str]:
        return self.svc.token("admin-1", admin=True)

    async def manager(self, *site_ids: str, sub: str = "manager-1") -> dict[str, str]:
        """`sub`'s token, after an admin made them manager of these sites through the API
        (each new grant records one `staff_grants.changed`)."""
        for site_id in site_ids:
            await self.grant(f"/sites/{site_id}/managers", sub)
        return self.svc.token(sub)

    async def staff(self, *centre_ids: str, sub: str = "staff-1") -> dict[str, str]:
        """`sub`'s token, after an admin made them staff of these equipment centres."""
        for centre_id in centre_ids:
            await self.grant(f"/centres/{centre_id}/staff", sub)
        return self.svc.token(sub)

    async def grant(self, collection: str, sub: str) -> dict[str, Any]:
        path = f"{collection}/{self.svc.person_id(sub)}"
        response = await self.svc.client.put(path, headers=self.admin)
        assert response.status_code in (200, 201), response.text
        grant: dict[str, Any] = response.json()
        return grant


@pytest.fixture
async def facilities(infra, isolated_kafka, database_factory) -> AsyncIterator[Facilities]:
    url = await database_factory(f"facilities_{uuid.uuid4().hex[:8]}")
    settings = settings_for(
        "facilities", database_url=url, kafka=isolated_kafka, redis_url=infra.redis.url
    )
    engine = create_engine(url, pool_size=2)
    try:
        async with running_service("facilities", settings) as svc:
            yield Facilities(svc, OutboxProbe(engine), isolated_kafka)
        # Every event the test made facilities record carries its aggregate id as subject.
        assert await subject_errors(engine) == []
    finally:
        await engine.dispose()


async def subject_errors(engine: AsyncEngine) -> list[str]:
    """The shared subject check, with the staff-grant events checked here (their aggregate is
    the person) when the shared table does not name them yet."""
    if STAFF_GRANTS_CHANGED in AGGREGATE_ID:
        return await outbox_subject_errors(engine)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT event_type, headers, value FROM outbox"))).all()
    errors = shared_subject_errors(
        (row.event_type, row.headers, json.loads(row.value))
        for row in rows
        if row.event_type != STAFF_GRANTS_CHANGED
    )
    for row in rows:
        if row.event_type == STAFF_GRANTS_CHANGED:
            subject = dict(row.headers).get("ce_subject")
            person = json.loads(row.value)["grants"]["person_id"]
            if subject != person:
                errors.append(f"{row.event_type}: subject {subject}, aggregate id {person}")
    return errors


def site_body(name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "school",
        "name": name,
        "address": "Skolevegen 1, 2000 Lillestrøm",
        "district": "lillestrom",
        "contact": {"name": f"{name}, kontoret", "email": "post@example.no"},
        "accessibility": {"step_free_entrance": True, "transit_stop": "Lillestrøm stasjon"},
        "closes_on_public_holidays": False,
        **overrides,
    }


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body
