"""Bounded input against the booking service as a real process on the real database.

A weekly series to the year 9999 was planned week by week (holidays included) before the
horizon was looked at: seconds of CPU on the event loop for one request, while `/healthz` and
every other request waited. A contact of any size, with any text as email and phone, was
stored and published. These tests send what an attacker would and check the answer, how fast
it came, that the loop stayed free meanwhile, and that nothing was stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from samspill.events import facilities as fe
from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from tests.integration.booking.booking_support import evening_window, publish, site, space
from tests.reliability.stack import DatabaseFactory, Stack, bearer, logs_on_failure, running_stack
from tests.reliability.town import org_number, today
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(240)]

ADMIN = bearer("admin-bounds", admin=True)
# The target. On a machine so loaded that an idle /healthz is already slow, the bound
# grows with that baseline (up to BOUND_CAP_S), still far below the broken service's seconds.
QUICK_S = 0.050
BASELINE_FACTOR = 5
BOUND_CAP_S = 0.5
STORM = 10
PROBES = 15
PROBE_PACE_S = 0.02
# A probe that waits this long is counted as this long: the broken service answers in seconds.
PROBE_TIMEOUT_S = 2.0
TWO_MB = 2 * 1024 * 1024


@dataclass(frozen=True)
class Hall:
    stack: Stack
    space_id: uuid.UUID
    organisation_id: str
    member: str  # registered the club, so administers it


@contextlib.asynccontextmanager
async def booking_with_a_hall(
    infra: Infrastructure,
    kafka: KafkaConfig,
    databases: DatabaseFactory,
    logs: Path,
    label: str,
) -> AsyncIterator[Hall]:
    """Booking alone on a database of its own, fed a school with a hall (horizon 180 days)
    and one club."""
    async with running_stack(
        infra, databases, kafka, logs, label=label, services=("booking",)
    ) as stack:
        with logs_on_failure(logs):
            site_id, space_id = uuid.uuid4(), uuid.uuid4()
            first = today()
            await publish(
                kafka,
                [
                    fe.SiteRegistered(site=site(site_id, "Volla skole")),
                    fe.SpaceRegistered(
                        space=space(space_id, site_id, "Storhallen", horizon_days=180)
                    ),
                    fe.WindowReleased(
                        window=evening_window(space_id, site_id, first, first + timedelta(400))
                    ),
                ],
            )

            async def hall_known() -> bool:
                windows = await stack.db("booking").scalar("SELECT count(*) FROM read_window")
                return bool(windows == 1)

            await eventually(hall_known, timeout=60, interval=0.1)
            member = bearer("member-volla-il")
            club = await stack.call(
                "POST",
                "booking",
                "/organisations",
                member,
                json={
                    "org_number": org_number(31_000),
                    "name": "Volla IL",
                    "category": "sports",
                    "contact": {"name": "Styret", "email": "styret@volla-il.example"},
                },
            )
            yield Hall(stack, space_id, str(club["id"]), member)


def series_body(hall: Hall, first: date, last: date) -> dict[str, Any]:
    return {
        "space_id": str(hall.space_id),
        "organisation_id": hall.organisation_id,
        "activity": "Futsal",
        "audience": "non_profit",
        "participants": 20,
        "weekday": 1,
        "start_time": "18:00",
        "end_time": "19:30",
        "first_date": first.isoformat(),
        "last_date": last.isoformat(),
    }


async def timed(call: Callable[[], Awaitable[httpx.Response]]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await call()
    return time.perf_counter() - started, response


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


async def test_a_series_to_the_year_9999_is_refused_at_once_and_healthz_stays_quick(
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory: DatabaseFactory,
    tmp_path: Path,
) -> None:
    async with booking_with_a_hall(
        infra, isolated_kafka, database_factory, tmp_path, "bounds_storm"
    ) as hall:
        stack = hall.stack
        url = stack.url("booking", "/booking-series")
        headers = {"Authorization": f"Bearer {hall.member}"}
        first = today() + timedelta(days=7)
        far_future = series_body(hall, first, date(9999, 12, 27))
        # Within every static bound, but past the hall's 180-day horizon: refused on the
        # horizon before any week is planned.
        past_horizon = series_body(hall, first, first + timedelta(days=700))

        async with httpx.AsyncClient(timeout=60) as client:

            async def post(body: dict[str, Any]) -> httpx.Response:
                return await client.post(url, json=body, headers=headers)

            healthz = stack.url("booking", "/healthz")
            baseline = statistics.median([await probe(client, healthz) for _ in range(9)])
            bound = min(max(QUICK_S, BASELINE_FACTOR * baseline), BOUND_CAP_S)
            print(
                f"idle /healthz: {baseline * 1000:.1f} ms (median of 9); "
                f"bound {bound * 1000:.0f} ms"
            )
            for body in (far_future, past_horizon):
                answers = [await timed(lambda body=body: post(body)) for _ in range(5)]
                for _, response in answers:
                    assert_problem(response, 422)
                alone = statistics.median(seconds for seconds, _ in answers)
                print(f"series to {body['last_date']}: 422 in {alone * 1000:.1f} ms (median of 5)")
                assert alone < bound

            probes, storm_answers = await healthz_during_storm(
                client, healthz, lambda: post(far_future)
            )
        median = statistics.median(probes)
        print(
            f"/healthz during {STORM} concurrent series to 9999: median {median * 1000:.1f} ms, "
            f"max {max(probes) * 1000:.1f} ms over {len(probes)} probes; "
            f"{len(storm_answers)} series answered meanwhile"
        )
        assert median < bound
        assert len(storm_answers) >= STORM
        for response in storm_answers:
            assert_problem(response, 422)
        assert await stack.db("booking").scalar("SELECT count(*) FROM booking_series") == 0


async def healthz_during_storm(
    client: httpx.AsyncClient,
    healthz: str,
    attack: Callable[[], Awaitable[httpx.Response]],
) -> tuple[list[float], list[httpx.Response]]:
    """Probe `/healthz` while ten attackers each send one attack after another.

    Ten attacks are in flight at every moment of the probing; the probes are spread over it
    (one every `PROBE_PACE_S`), so they measure the loop during the storm, not before it.
    """
    answers: list[httpx.Response] = []
    stop = asyncio.Event()

    async def attacker() -> None:
        while not stop.is_set():
            answers.append(await attack())

    attackers = [asyncio.create_task(attacker()) for _ in range(STORM)]
    probes: list[float] = []
    try:
        for _ in range(PROBES):
            await asyncio.sleep(PROBE_PACE_S)
            probes.append(await probe(client, healthz))
    finally:
        stop.set()
        # A working service ends its last attacks at once; a frozen one is left behind.
        _, frozen = await asyncio.wait(attackers, timeout=PROBE_TIMEOUT_S)
        for task in frozen:
            task.cancel()
        await asyncio.gather(*frozen, return_exceptions=True)
    return probes, answers


async def probe(client: httpx.AsyncClient, healthz: str) -> float:
    started = time.perf_counter()
    try:
        response = await client.get(healthz, timeout=PROBE_TIMEOUT_S)
    except httpx.TimeoutException:
        return PROBE_TIMEOUT_S
    assert response.status_code == 200
    return time.perf_counter() - started


async def organisations_and_events(stack: Stack) -> tuple[int, int]:
    db = stack.db("booking")
    return (
        int(await db.scalar("SELECT count(*) FROM organisation")),
        int(await db.scalar("SELECT count(*) FROM outbox")),
    )


def organisation(seed: int, contact: dict[str, Any], name: str = "Kjeller IL") -> dict[str, Any]:
    return {
        "org_number": org_number(seed),
        "name": name,
        "category": "sports",
        "contact": contact,
    }


async def test_a_two_megabyte_field_is_refused_before_it_is_read(
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory: DatabaseFactory,
    tmp_path: Path,
) -> None:
    async with booking_with_a_hall(
        infra, isolated_kafka, database_factory, tmp_path, "bounds_size"
    ) as hall:
        stack = hall.stack
        before = await organisations_and_events(stack)
        body = organisation(32_000, {"name": "x" * TWO_MB, "email": "styret@kjeller-il.example"})
        response = await stack.request("POST", "booking", "/organisations", ADMIN, json=body)
        assert_problem(response, 413)
        assert response.json()["type"].endswith("/payload-too-large")

        async def chunks() -> AsyncIterator[bytes]:
            # No Content-Length: the limit must count what arrives.
            yield b'{"org_number": "' + b"9" * TWO_MB
            yield b'", "name": "Kjeller IL"}'

        streamed = await stack.request(
            "POST",
            "booking",
            "/organisations",
            ADMIN,
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
        assert_problem(streamed, 413)
        assert await organisations_and_events(stack) == before


async def test_an_organisation_with_a_huge_name_a_bad_email_or_phone_is_refused(
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory: DatabaseFactory,
    tmp_path: Path,
) -> None:
    async with booking_with_a_hall(
        infra, isolated_kafka, database_factory, tmp_path, "bounds_contact"
    ) as hall:
        stack = hall.stack
        before = await organisations_and_events(stack)
        bad_contacts: list[tuple[dict[str, Any], str]] = [
            (
                {"name": "x" * 200_000, "email": "not-an-email", "phone": "call me maybe"},
                "name",
            ),
            ({"name": "x" * 200_000, "email": "styret@kjeller-il.example"}, "name"),
            ({"name": "Styret", "email": "not-an-email"}, "email"),
            ({"name": "Styret", "email": "styret@@kjeller-il.example"}, "email"),
            ({"name": "Styret", "phone": "call me maybe", "channel": "sms"}, "phone"),
            ({"name": "Styret", "phone": "+47 123", "channel": "sms"}, "phone"),
        ]
        for number, (contact, field) in enumerate(bad_contacts):
            body = organisation(33_000 + number * 37, contact)
            response = await stack.request("POST", "booking", "/organisations", ADMIN, json=body)
            assert_problem(response, 422)
            fields = {error["loc"][-1] for error in response.json()["errors"]}
            assert field in fields, response.text[:500]
        assert await organisations_and_events(stack) == before

        accepted = await stack.call(
            "POST",
            "booking",
            "/organisations",
            ADMIN,
            json=organisation(
                34_000,
                {"name": "Styret", "email": "Styret@Kjeller-IL.example", "phone": "22 33 44 55"},
            ),
        )
        assert accepted["contact"]["phone"] == "+4722334455"
        assert accepted["contact"]["email"] == "Styret@kjeller-il.example"
