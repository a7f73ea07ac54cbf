"""Authorization matrix: every route × role × mine/theirs answers as `authz_matrix` expects.

The routes come from the running apps (`app.routes`), so a new endpoint without an entry in the
expectation table fails here before anyone has to remember to test it.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from samspill.service import create_app
from tests.reliability.authz_matrix import EXPECTATIONS, ROLES, Outcome, Rule
from tests.reliability.authz_world import (
    SERVICES,
    Callers,
    Side,
    Stack,
    World,
    running_stack,
    seed_world,
)
from tests.support import settings_for

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.calendar,
    pytest.mark.timeout(240),
]

# Facilities changes travel to the other services; probe it last so they see the seed as it was.
ORDER = ("notifications", "booking", "facilities")


def route_keys(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path template) of every route that answers HTTP, included routers too."""
    keys: set[tuple[str, str]] = set()
    for route in iter_route_contexts(routes):
        keys.update((method, str(route.path)) for method in route.methods or ())
    return keys


@pytest.mark.parametrize("name", SERVICES)
def test_every_route_has_an_expectation(name, infra, kafka_config):
    settings = settings_for(
        name,
        database_url="postgresql://unused@127.0.0.1:1/unused",
        kafka=kafka_config,
        redis_url=infra.redis.url,
    )
    app = create_app(importlib.import_module(f"{name}.main").definition, settings)
    routes = route_keys(app.routes)
    table = set(EXPECTATIONS[name])
    assert sorted(routes - table) == [], "routes without an authorization expectation"
    assert sorted(table - routes) == [], "expectations of routes that no longer exist"


@dataclass(frozen=True)
class Case:
    service: str
    method: str
    template: str
    rule: Rule
    role: str
    side: str

    @property
    def expected(self) -> Outcome:
        return self.rule.expect(self.role, self.side)

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.template} as {self.role} on {self.side}"


def cases(stack: Stack) -> list[Case]:
    """Every (route, role, side) of the running apps, in a safe order.

    Denials come before the calls that may change state, DELETE routes come last, and admin
    (who reaches everything) is probed on "theirs" only, after everyone else; erasures (which
    remove their callers) after every other case.
    """
    found: list[Case] = []
    for service in ORDER:
        table = EXPECTATIONS[service]
        for method, template in sorted(route_keys(stack[service].app.routes)):
            rule = table[(method, template)]
            for side in rule.sides:
                for role in ROLES:
                    if role == "admin" and side == "mine" and len(rule.sides) == 2:
                        continue
                    found.append(Case(service, method, template, rule, role, side))
    return sorted(
        found,
        key=lambda c: (
            c.rule.last,
            ORDER.index(c.service),
            c.method == "DELETE",
            c.expected in (Outcome.ALLOW, Outcome.FILTERED),
            c.role == "admin",
        ),
    )


async def run_case(stack: Stack, world: World, callers: Callers, case: Case) -> str | None:
    """None when the answer matches the expectation, otherwise what went wrong."""
    probe = case.rule.build(world.side(case.side), world)
    response = await stack[case.service].client.request(
        case.method,
        probe.path,
        params=probe.params,
        json=probe.json,
        headers=callers.headers[case.role],
    )
    problem = judge(case.expected, response, world.theirs)
    return None if problem is None else f"{case} {probe.path}: {problem}"


def judge(expected: Outcome, response: httpx.Response, theirs: Side) -> str | None:
    status = response.status_code
    got = f"expected {expected}, got {status} {response.text[:300]}"
    if status >= 500:
        return got
    if expected is Outcome.UNAUTHENTICATED:
        return None if status == 401 else got
    if expected is Outcome.DENY:
        return None if status in (403, 404) else got
    if status in (401, 403, 404) or _invalid_request(response):
        return got
    if expected is Outcome.FILTERED:
        leaked = [value for value in _ids(theirs) if value in response.text]
        if status != 200 or leaked:
            return f"{got} (theirs in the list: {leaked})"
    return None


def _invalid_request(response: httpx.Response) -> bool:
    """A 422 of request validation means the probe itself is wrong, not the rule checked."""
    if response.status_code != 422:
        return False
    try:
        body = response.json()
    except json.JSONDecodeError:
        return False
    return isinstance(body, dict) and str(body.get("type", "")).endswith("validation-error")


def _ids(side: Side) -> list[str]:
    return [value for value in vars(side).values() if isinstance(value, str) and value]


async def test_authorization_matrix(infra, isolated_kafka, database_factory):
    async with running_stack(infra, isolated_kafka, database_factory, "authz") as stack:
        world = await seed_world(stack)
        callers = Callers.of(stack, world)
        all_cases = cases(stack)
        failures = [
            failure
            for case in all_cases
            if (failure := await run_case(stack, world, callers, case)) is not None
        ]
    assert len(all_cases) > 300
    assert failures == [], "\n".join(failures)
