"""Fuzzing: schemathesis against the OpenAPI documents of all three services.

The services run in-process with their lifespan on the real PostgreSQL, broker and Redis, on a
seeded world, and every answer must be below 500 and match its documented schema, content type
and headers. Runs are derandomized, so a failure reproduces with the same cases.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import time
import warnings
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from samspill.service import create_app
from tests.reliability.authz_world import SERVICES, World, local, running_stack, seed_world
from tests.reliability.fuzz_runner import Bridge, fuzz_schema, fuzz_stateful, load_schema
from tests.support import settings_for

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.calendar,
    pytest.mark.timeout(300),
    # schemathesis draws from `random` inside its strategies; derandomize keeps runs repeatable.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

# Per operation and per stateful run; raise locally (SAMSPILL_FUZZ_EXAMPLES) for a deeper run.
EXAMPLES = int(os.environ.get("SAMSPILL_FUZZ_EXAMPLES", "25"))
STATEFUL_SCENARIOS = max(EXAMPLES // 2, 5)
STATEFUL_STEPS = 6
UNBOUNDED_ANSWER_S = 2.0


def seeds_of(world: World) -> dict[str, list[str]]:
    """Parameter name → the ids of both sides' objects of that name."""
    names = {
        "site_id": "site_id",
        "space_id": "space_id",
        "window_id": "window_id",
        "closure_id": "closure_id",
        "rule_id": "rule_id",
        "centre_id": "centre_id",
        "item_type_id": "item_type_id",
        "unit_id": "unit_id",
        "organisation_id": "organisation_id",
        "booking_id": "booking_id",
        "series_id": "series_id",
        "loan_id": "loan_id",
        "token_id": "org_token_id",
        "message_id": "message_id",
        "token": "org_token",
        "subject": "organisation_id",
        "round_id": "round_id",
        "time_id": "time_id",
        "offer_id": "offer_id",
    }
    seeds = {
        parameter: [getattr(side, attribute) for side in (world.mine, world.theirs)]
        for parameter, attribute in names.items()
    }
    seeds["token"] += [world.mine.loans_token, world.theirs.loans_token]
    return seeds


def duplicate_operation_ids(document: dict[str, Any]) -> list[str]:
    ids = Counter(operation.get("operationId") for operation in operations(document))
    return sorted(str(name) for name, count in ids.items() if count > 1)


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
    ]


@pytest.mark.parametrize("name", SERVICES)
def test_openapi_document_says_what_the_service_answers(name, infra, kafka_config):
    """Unique operation ids, problem+json errors, and local times without an offset."""
    settings = settings_for(
        name,
        database_url="postgresql://unused@127.0.0.1:1/unused",
        kafka=kafka_config,
        redis_url=infra.redis.url,
    )
    app = create_app(importlib.import_module(f"{name}.main").definition, settings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI warns about duplicate operation ids
        document = app.openapi()
    assert duplicate_operation_ids(document) == []
    for operation in operations(document):
        responses = operation["responses"]
        assert "application/problem+json" in responses["default"]["content"]
        if "422" in responses:
            assert list(responses["422"]["content"]) == ["application/problem+json"]
    text = json.dumps(document)
    assert '"format": "time"' not in text
    assert "HTTPValidationError" not in text


def regressions(world: World) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Cases the fuzzer once found answering 500; each must now be refused with a 422."""
    too_big_int = 2**31
    return [
        (
            "facilities",
            "POST",
            "/price-rules",
            {
                "json": {
                    "space_id": world.mine.space_id,
                    "category": "private",
                    "hourly_rate_ore": too_big_int,
                }
            },
        ),
        ("facilities", "GET", "/spaces", {"params": {"min_capacity": too_big_int}}),
        (
            "facilities",
            "PATCH",
            f"/spaces/{world.mine.space_id}",
            {
                "json": {
                    "capacity": too_big_int,
                }
            },
        ),
        ("facilities", "GET", "/sites", {"params": {"name": "nul\x00byte"}}),
        (
            "facilities",
            "POST",
            "/sites",
            {
                "json": {
                    "kind": "school",
                    "name": "Skole\x00",
                    "address": "Vei 1",
                    "district": "kjeller",
                    "contact": {"name": "Kontoret"},
                }
            },
        ),
        ("booking", "GET", "/loans", {"params": {"offset": 2**63}}),
        (
            "booking",
            "GET",
            "/availability",
            {
                "params": {
                    "from": "2030-01-01T00:00:00+01:00",
                    "to": "2030-01-02T00:00:00+01:00",
                    "min_capacity": too_big_int,
                }
            },
        ),
        (
            "booking",
            "GET",
            "/lending/availability",
            {
                "params": {
                    "centre_id": world.mine.centre_id,
                    "pickup_date": "9999-12-31",
                    "return_date": "9999-12-31",
                }
            },
        ),
        (
            "booking",
            "POST",
            "/loans",
            {
                "json": {
                    "pickup_date": str(world.day),
                    "return_date": str(world.day),
                    "lines": [{"item_type_id": world.mine.item_type_id, "quantity": too_big_int}],
                    "contact": {"email": "a@b.no"},
                }
            },
        ),
        ("notifications", "GET", "/messages", {"params": {"offset": 2**63}}),
    ]


def unbounded(world: World) -> list[tuple[str, str, str, dict[str, Any], int]]:
    """Input the services once took and worked on for seconds, or stored and published at any
    size; each must be refused at once, with the status given."""
    bad_contact = {"name": "x" * 200_000, "email": "not-an-email", "phone": "call me maybe"}
    series = {
        "space_id": world.mine.space_id,
        "organisation_id": world.mine.organisation_id,
        "activity": "Futsal",
        "audience": "non_profit",
        "participants": 10,
        "weekday": 1,
        "start_time": "18:00",
        "end_time": "19:30",
        "first_date": str(world.day),
        "last_date": "9999-12-27",
    }
    organisation = {"org_number": "912345674", "name": "Kjeller IL", "category": "sports"}
    site = {"kind": "school", "name": "Kjeller skole", "address": "Vei 1", "district": "kjeller"}
    return [
        ("booking", "POST", "/booking-series", {"json": series}, 422),
        (
            "booking",
            "POST",
            "/booking-series",
            {"json": {**series, "first_date": "0001-01-01", "last_date": str(world.day)}},
            422,
        ),
        (
            "booking",
            "POST",
            "/organisations",
            {"json": {**organisation, "contact": bad_contact}},
            422,
        ),
        (
            "booking",
            "POST",
            "/organisations",
            {"json": {**organisation, "contact": {"name": "x" * 2_000_000}}},
            413,
        ),
        ("facilities", "POST", "/sites", {"json": {**site, "contact": bad_contact}}, 422),
        (
            "booking",
            "GET",
            "/availability",
            {"params": {"from": "9999-12-01T00:00:00+01:00", "to": "9999-12-02T00:00:00+01:00"}},
            422,
        ),
        (
            "facilities",
            "GET",
            f"/spaces/{world.mine.space_id}/windows/{world.mine.window_id}/occurrences",
            {"params": {"from": "9999-12-01", "to": "9999-12-31"}},
            422,
        ),
        (
            "notifications",
            "PUT",
            f"/preferences/organisation/{'x' * 10_000}",
            {"json": {"channel": "email", "language": "nb"}},
            422,
        ),
    ]


def resident_refusals(world: World) -> list[tuple[str, str, dict[str, Any], int]]:
    """A resident's own bookings that must be refused: a price category that is not theirs
    (403) and a missing or malformed contact (422)."""
    day = world.day + timedelta(days=9)
    booking = {
        "space_id": world.mine.space_id,
        "activity": "bursdag",
        "audience": "private",
        "participants": 10,
        "start": local(day, 18),
        "end": local(day, 19),
        "contact": {"email": "familien@example.no"},
    }
    series = {
        **{k: v for k, v in booking.items() if k not in ("start", "end")},
        "weekday": day.weekday(),
        "start_time": "18:00",
        "end_time": "19:00",
        "first_date": day.isoformat(),
        "last_date": (day + timedelta(weeks=2)).isoformat(),
    }
    return [
        ("POST", "/bookings", {**booking, "audience": "non_profit"}, 403),
        ("POST", "/bookings", {**booking, "audience": "children_youth"}, 403),
        ("POST", "/booking-series", {**series, "audience": "non_profit"}, 403),
        ("POST", "/bookings", {**booking, "contact": None}, 422),
        ("POST", "/bookings", {**booking, "contact": {"email": "not-an-email"}}, 422),
        ("POST", "/bookings", {**booking, "contact": {"phone": "call me maybe"}}, 422),
        ("POST", "/booking-series", {**series, "contact": {"name": "Familien"}}, 422),
    ]


async def test_fuzz_every_operation_of_every_service(infra, isolated_kafka, database_factory):
    failures: list[str] = []
    async with running_stack(infra, isolated_kafka, database_factory, "fuzz") as stack:
        world = await seed_world(stack)
        callers = {
            "admin": stack.header("admin-fuzz", admin=True),
            "resident": stack.header(world.mine.resident),
        }
        seeds = seeds_of(world)
        for service, method, path, kwargs in regressions(world):
            answer = await stack[service].client.request(
                method, path, headers=callers["admin"], **kwargs
            )
            if answer.status_code != 422:
                failures.append(f"{service} {method} {path}: {answer.status_code} {answer.text}")
        for service, method, path, kwargs, status in unbounded(world):
            started = time.perf_counter()
            answer = await stack[service].client.request(
                method, path, headers=callers["admin"], **kwargs
            )
            seconds = time.perf_counter() - started
            # Generous: refused input takes milliseconds, the unbounded series took seconds.
            if answer.status_code != status or seconds > UNBOUNDED_ANSWER_S:
                failures.append(
                    f"{service} {method} {path[:80]}: {answer.status_code} in {seconds:.2f} s "
                    f"{answer.text[:300]}"
                )
        for method, path, body, status in resident_refusals(world):
            answer = await stack["booking"].client.request(
                method, path, headers=callers["resident"], json=body
            )
            if answer.status_code != status:
                failures.append(f"resident {method} {path}: {answer.status_code} {answer.text}")
        loop = asyncio.get_running_loop()
        for name in SERVICES:
            document = (await stack[name].client.get("/openapi.json")).json()
            failures += [
                f"{name}: duplicate operationId {d}" for d in duplicate_operation_ids(document)
            ]
            schema = load_schema(document)
            bridge = Bridge(loop, stack[name].client)
            found = await asyncio.to_thread(fuzz_schema, schema, bridge, callers, seeds, EXAMPLES)
            failures += [f"{name} {failure}" for failure in found]
            found = await asyncio.to_thread(
                fuzz_stateful,
                schema,
                bridge,
                callers["admin"],
                STATEFUL_SCENARIOS,
                STATEFUL_STEPS,
            )
            failures += [f"{name} {failure}" for failure in found]
    assert failures == [], "\n\n".join(failures)
