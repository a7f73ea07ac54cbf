"""The outbox's limits through a real service: an event over the size limit is refused with 413
and nothing is stored; a record Kafka refuses goes to the dead letters while later events of
its key arrive, `/metrics` shows it, and `samspill outbox dead-letters` lists, redrives and
discards it."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from samspill.db import create_engine
from samspill.events import facilities as contract
from samspill.outbox import bucket_of
from tests.integration.facilities.conftest import (
    Facilities,
    OutboxProbe,
    assert_problem,
    site_body,
)
from tests.integration.kernel_support import read_envelopes
from tests.support import eventually, running_service, settings_for

pytestmark = pytest.mark.slow

# A short site's event is about 850 bytes, one with a 140-character name and a 200-character
# address about 1 280: this limit accepts the first and refuses the second.
SMALL_EVENT_LIMIT = 1100
SITE_UPDATED = "samspill.facilities.site.updated.v1"


@pytest.fixture
async def limited(infra, isolated_kafka, database_factory) -> AsyncIterator[Facilities]:
    url = await database_factory(f"facilities_limit_{uuid.uuid4().hex[:8]}")
    settings = settings_for(
        "facilities",
        database_url=url,
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        outbox_max_event_bytes=SMALL_EVENT_LIMIT,
    )
    engine = create_engine(url, pool_size=2)
    try:
        async with running_service("facilities", settings) as svc:
            yield Facilities(svc, OutboxProbe(engine), isolated_kafka)
    finally:
        await engine.dispose()


async def test_an_event_over_the_size_limit_is_refused_and_nothing_is_stored(
    limited: Facilities,
) -> None:
    client, admin = limited.svc.client, limited.admin
    long_site = site_body("N" * 140, address="A" * 200)

    response = await client.post("/sites", json=long_site, headers=admin)

    body = assert_problem(response, 413)
    assert body["type"].endswith("/event-too-large")
    assert body["detail_nb"]
    assert body["event_type"] == "samspill.facilities.site.registered.v1"
    assert body["limit_bytes"] == SMALL_EVENT_LIMIT
    assert body["size_bytes"] > SMALL_EVENT_LIMIT
    counts = await limited.outbox.counts()
    assert counts["site"] == 0
    assert counts["outbox"] == 0
    # Under the limit the same endpoint works, so the refusal is the event's size alone.
    assert (await client.post("/sites", json=site_body("Ås skole"), headers=admin)).status_code == (
        201
    )
    assert (await limited.outbox.counts())["site"] == 1


async def test_a_refused_record_is_dead_lettered_listed_redriven_and_discarded(
    facilities: Facilities,
) -> None:
    client, admin = facilities.svc.client, facilities.admin
    site_id = (await client.post("/sites", json=site_body("Skedsmo skole"), headers=admin)).json()[
        "site_id"
    ]
    await _insert_oversized_outbox_row(facilities, key=site_id)
    response = await client.patch(
        f"/sites/{site_id}", json={"address": "Skedsmovegen 2"}, headers=admin
    )
    assert response.status_code == 200, response.text

    # The update written after the refused record arrives; the record waits in the dead letters.
    updates = await read_envelopes(
        facilities.kafka,
        contract.contract,
        expected=1,
        timeout=30,
        accept=lambda e: e.type == SITE_UPDATED and e.subject == site_id,
    )
    assert [e.data.site.address for e in updates] == ["Skedsmovegen 2"]
    (letter,) = await eventually(lambda: _dead_letters(facilities))
    assert letter["key"] == site_id
    assert "MessageSizeTooLargeError" in letter["error"]
    assert letter["attempts"] == 3
    assert await _metrics(facilities) == {"waiting": 1, "total": 1}

    listed = await _cli(facilities, "list", "facilities")
    assert listed.returncode == 0, listed.stderr
    assert "facilities: 1 outbox dead letter(s)" in listed.stdout
    assert f"#{letter['id']} {SITE_UPDATED}" in listed.stdout
    assert "MessageSizeTooLargeError" in listed.stdout
    assert "1 later event(s) of this key" in listed.stdout

    # A dead letter Kafka would take now (as after raising the broker's limit) is redriven by
    # id and published; the refused one, redriven with --all, is refused and dead-lettered again.
    fixable = await _insert_dead_letter_of_valid_event(facilities, site_id)
    redriven = await _cli(facilities, "redrive", "facilities", str(fixable["id"]))
    assert redriven.returncode == 0, redriven.stderr
    assert f"1 dead letter(s) back in the outbox: #{fixable['id']}" in redriven.stdout
    arrived = await read_envelopes(
        facilities.kafka,
        contract.contract,
        expected=1,
        timeout=30,
        accept=lambda e: e.id == fixable["event_id"],
    )
    assert [e.data.site.name for e in arrived] == ["Skedsmo skole (redriven)"]

    everything = await _cli(facilities, "redrive", "facilities", "--all")
    assert everything.returncode == 0, everything.stderr
    assert f"1 dead letter(s) back in the outbox: #{letter['id']}" in everything.stdout
    again = await eventually(
        lambda: _dead_letters_except(facilities, {letter["id"], fixable["id"]})
    )
    assert [(row["event_id"], row["attempts"]) for row in again] == [(letter["event_id"], 3)]
    assert await _metrics(facilities) == {"waiting": 1, "total": 3}

    # It will never fit: the operator discards it (an unknown id is reported, not ignored).
    discarded = await _cli(facilities, "discard", "facilities", str(again[0]["id"]), "999999")
    assert discarded.returncode == 1
    assert f"discarded #{again[0]['id']} {SITE_UPDATED}" in discarded.stdout
    assert "not found: #999999" in discarded.stderr
    assert await _dead_letters(facilities) == []
    assert await _metrics(facilities) == {"waiting": 0, "total": 3}


async def _insert_oversized_outbox_row(facilities: Facilities, key: str) -> None:
    """A record over the producer's 1 MiB limit, as a writer without the size check stored it."""
    value = json.dumps({"site": {"site_id": key, "name": "x" * 1_100_000}}).encode()
    await _execute(
        facilities,
        "INSERT INTO outbox (event_id, topic, key, bucket, event_type, headers, value) "
        "VALUES (:event_id, 'samspill.facilities', :key, :bucket, :type, "
        "CAST(:headers AS jsonb), :value)",
        event_id=str(uuid.uuid4()),
        key=key,
        bucket=bucket_of(key),
        type=SITE_UPDATED,
        headers=json.dumps(_headers(str(uuid.uuid4()), key)),
        value=value,
    )


async def _insert_dead_letter_of_valid_event(
    facilities: Facilities, site_id: str
) -> dict[str, Any]:
    site = (await facilities.svc.client.get(f"/sites/{site_id}")).json()
    site["name"] = "Skedsmo skole (redriven)"
    event_id = str(uuid.uuid4())
    await _execute(
        facilities,
        "INSERT INTO outbox_dead_letter (outbox_id, event_id, topic, key, bucket, event_type, "
        "headers, value, created_at, attempts, error) VALUES (0, :event_id, "
        "'samspill.facilities', :key, :bucket, :type, CAST(:headers AS jsonb), :value, now(), 3, "
        "'MessageSizeTooLargeError()')",
        event_id=event_id,
        key=site_id,
        bucket=bucket_of(site_id),
        type=SITE_UPDATED,
        headers=json.dumps(_headers(event_id, site_id)),
        value=json.dumps({"site": site}).encode(),
    )
    (letter,) = [row for row in await _dead_letters(facilities) if row["event_id"] == event_id]
    return letter


def _headers(event_id: str, subject: str) -> list[list[str]]:
    return [
        ["ce_specversion", "1.0"],
        ["ce_id", event_id],
        ["ce_source", "/samspill/facilities"],
        ["ce_type", SITE_UPDATED],
        ["ce_time", datetime.now(UTC).isoformat().replace("+00:00", "Z")],
        ["content-type", "application/json"],
        ["ce_subject", subject],
    ]


async def _execute(facilities: Facilities, sql: str, **params: Any) -> None:
    async with facilities.outbox.engine.begin() as conn:
        await conn.execute(text(sql), params)


async def _dead_letters(facilities: Facilities) -> list[dict[str, Any]]:
    async with facilities.outbox.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT id, event_id, key, attempts, error FROM outbox_dead_letter ORDER BY id")
        )
        return [dict(row._mapping) for row in rows]


async def _dead_letters_except(facilities: Facilities, ids: set[int]) -> list[dict[str, Any]]:
    return [row for row in await _dead_letters(facilities) if row["id"] not in ids]


async def _metrics(facilities: Facilities) -> dict[str, float]:
    response = await facilities.svc.client.get("/metrics")
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    return {
        "waiting": samples["outbox_dead_letters"],
        "total": samples["outbox_dead_lettered_total"],
    }


async def _cli(facilities: Facilities, *args: str) -> _Completed:
    """`samspill outbox dead-letters …` as an operator runs it, in its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "samspill.cli",
        "outbox",
        "dead-letters",
        *args,
        "--database-url",
        facilities.svc.settings.database_url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    return _Completed(process.returncode, stdout.decode(), stderr.decode())


@dataclass(frozen=True)
class _Completed:
    returncode: int | None
    stdout: str
    stderr: str
