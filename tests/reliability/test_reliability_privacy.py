"""Privacy: nothing reachable without a token or a login shows personal data.

The world is seeded with recognisable people (contact names, emails, phone numbers of the
organisations' contacts and of residents who borrow equipment, a resident's own booking and
profile, the residents' own subjects). Every GET/HEAD route of every service is called without a
token for both sides' objects (the routes and their required parameters come from the apps and
their OpenAPI documents, so a new public endpoint is scanned without being listed), and every
answer that is not a 401 is searched for those people, in its body and its headers. The portal
is then started against the same services and every GET page of its routers is fetched over
HTTP without a session, for both sides' objects: each page it shows a visitor (the front page,
the hall search as list and week grid, a hall's page, the equipment catalogue, the login page,
...) is searched the same way; a page that sends the visitor to log in is not public.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi.routing import APIRoute

from portal.config import PortalSettings
from portal.main import create_app as create_portal
from portal.main import routers as portal_routers
from samspill.identity_provider import IdentityProvider, oidc_issuers_env
from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from samspill.tokens import IssuerConfig
from tests.reliability.authz_world import (
    PEOPLE,
    RESIDENTS,
    SERVICES,
    Side,
    Stack,
    World,
    local,
    running_stack,
    seed_world,
)
from tests.reliability.stack import person_of
from tests.support import eventually, served_over_http

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.calendar,
    pytest.mark.timeout(300),
]

# Path parameters that name a side's object; `token` stays a guess (the secret is the key).
PATH_VALUES = {
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
    "message_id": "message_id",
    "token_id": "org_token_id",
    "round_id": "round_id",
    # The activity guide's feed: the side's district and its public activity.
    "district": "district",
    "activity": "activity_name",
}
GUESSED = "A" * 43
# The contact a resident gives with their own booking of a hall.
RESIDENT_BOOKER = {
    "name": "Siri Solberg",
    "email": "siri.solberg@example.org",
    "phone": "+47 956 78 123",
}


# The profile a resident keeps for messages to them.
RESIDENT_PROFILE = {
    "display_name": "Torvald Gjermundsen",
    "email": "torvald.gjermundsen@example.org",
    "phone": "+47 967 12 345",
}


# A resident's free text is theirs: public feeds show their booking only as a private one.
RESIDENT_ACTIVITY = "bursdagsfeiring"


def personal_data() -> list[str]:
    """Every way the seeded people could show up: names, emails, phone numbers, subjects and
    person ids, and a resident's own words."""
    found: list[str] = []
    profile = {**RESIDENT_PROFILE, "name": RESIDENT_PROFILE["display_name"]}
    for person in [*PEOPLE.values(), RESIDENT_BOOKER, profile]:
        digits = re.sub(r"\D", "", person["phone"])
        found += [person["name"], person["email"], person["phone"], digits, digits[2:]]
        found.append(person["email"].split("@")[0])
    residents = [*RESIDENTS.values(), *(person_of(sub) for sub in RESIDENTS.values())]
    return [*found, *residents, RESIDENT_ACTIVITY]


@dataclass(frozen=True)
class Probe:
    service: str
    path: str
    method: str
    params: dict[str, str]


def _format(schema: dict[str, Any]) -> str | None:
    if "format" in schema:
        return str(schema["format"])
    for option in schema.get("anyOf", []):
        if "format" in option:
            return str(option["format"])
    return None


def query_value(name: str, schema: dict[str, Any], side: Side, world: World) -> str:
    """A sensible value for a required query parameter; unknown names fail loudly."""
    day = world.on(7)
    days = {
        "from": day,
        "start": day,
        "to": day + timedelta(days=1),
        "end": day,
        "pickup_date": world.day + timedelta(days=3),  # loans close on no day
        "return_date": world.day + timedelta(days=5),
    }
    if name in days:
        hour = 20 if name == "end" else 8
        if _format(schema) == "date-time":
            return local(days[name], hour)
        return days[name].isoformat()
    if name in PATH_VALUES:
        return str(getattr(side, PATH_VALUES[name]))
    if name == "category":
        return "commercial"
    if name == "reason":  # a staff view's written reason (the route wants a login anyway)
        return "Sak 2026/117"
    raise AssertionError(f"no value for the required query parameter {name!r}")


def probes(service: str, document: dict[str, Any], world: World) -> list[Probe]:
    found: list[Probe] = []
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "head"):
                continue
            for side in (world.mine, world.theirs):
                path, params = template, {}
                for parameter in operation.get("parameters", []):
                    name, where = parameter["name"], parameter["in"]
                    if where == "path":
                        value = getattr(side, PATH_VALUES[name]) if name in PATH_VALUES else GUESSED
                        path = path.replace("{" + name + "}", str(value))
                    elif where == "query" and parameter.get("required"):
                        params[name] = query_value(name, parameter["schema"], side, world)
                found.append(Probe(service, path, method.upper(), params))
    return found


def leaks(response: httpx.Response, needles: list[str]) -> list[str]:
    text = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return [needle for needle in needles if needle.lower() in text.lower()]


async def add_resident_booking(stack: Stack, world: World) -> str:
    """A resident books a space open to everyone, giving a contact for the messages: the
    public feeds must neither name them nor show the contact."""
    manager = stack.header("manager-mine")
    await stack.call(
        "facilities",
        "PATCH",
        f"/spaces/{world.mine.space_id}",
        manager,
        json={"rules": {"who_may_book": "everyone"}},
    )
    resident = stack.header(RESIDENTS["mine"])
    day = world.on(8)
    body = {
        "space_id": world.mine.space_id,
        "activity": RESIDENT_ACTIVITY,
        "audience": "private",
        "participants": 10,
        "start": local(day, 12),
        "end": local(day, 14),
        "contact": RESIDENT_BOOKER,
    }

    async def booked() -> str | None:
        response = await stack["booking"].client.post("/bookings", json=body, headers=resident)
        return str(response.json()["booking_id"]) if response.status_code == 201 else None

    booking_id = await eventually(booked)
    feed = f"/feeds/spaces/{world.mine.space_id}.ics"

    async def in_feed() -> bool:
        return booking_id in (await stack["notifications"].client.get(feed)).text

    await eventually(in_feed)
    return booking_id


async def add_resident_profile(stack: Stack) -> None:
    """The resident keeps a profile (name, email, phone) for messages to them."""
    resident = stack.header(RESIDENTS["mine"])
    await stack.call("booking", "PUT", "/me/profile", resident, json=RESIDENT_PROFILE)


# The portal's path parameters that are not a side's object: a report and its format, and
# capabilities (an invitation's code, an offer) that stay guesses.
PORTAL_PATH_VALUES = {"report": "bookings", "extension": "csv"}
PORTAL = "http://127.0.0.1"


def portal_pages(world: World) -> list[str]:
    """Every GET page of the portal's routers for both sides' objects, and the hall search as
    a list and as a week grid on the day of the resident's booking."""
    found: list[str] = []
    for router in portal_routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
                continue
            for side in (world.mine, world.theirs):
                path = route.path
                for name in route.param_convertors:
                    if name in PATH_VALUES:
                        value = str(getattr(side, PATH_VALUES[name]))
                    else:
                        value = PORTAL_PATH_VALUES.get(name, GUESSED)
                    path = path.replace("{" + name + "}", value)
                found.append(path)
    day = world.on(8).strftime("%d.%m.%Y")
    found += [f"/ledige-lokaler?dato={day}&visning={view}" for view in ("liste", "uke")]
    return list(dict.fromkeys(found))


@contextlib.asynccontextmanager
async def running_portal(
    stack: Stack, infra: Infrastructure, identity: IdentityProvider
) -> AsyncIterator[httpx.AsyncClient]:
    """The portal in process, calling the stack's services over HTTP as it does in
    production; a client without a session (a visitor who has not logged in)."""
    async with contextlib.AsyncExitStack() as exits:
        urls = {
            name: await exits.enter_async_context(served_over_http(stack[name].app))
            for name in SERVICES
        }
        settings = PortalSettings(
            public_url=PORTAL,
            redis_url=infra.redis.url,
            facilities_url=urls["facilities"],
            booking_url=urls["booking"],
            notifications_url=urls["notifications"],
            oidc_issuers=[IssuerConfig(**i) for i in json.loads(oidc_issuers_env(identity.issuer))],
            session_cookie_secure=False,
            log_level="WARNING",
        )
        app = create_portal(settings)
        await exits.enter_async_context(LifespanManager(app))
        transport = httpx.ASGITransport(app=app)
        yield await exits.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=PORTAL)
        )


async def scan_portal(
    stack: Stack,
    infra: Infrastructure,
    identity: IdentityProvider,
    world: World,
    needles: list[str],
) -> tuple[list[str], list[str]]:
    """Every portal page a visitor can fetch: (pages answered 200, leaks found)."""
    shown: list[str] = []
    found: list[str] = []
    async with running_portal(stack, infra, identity) as portal:
        for path in portal_pages(world):
            response = await portal.get(path)
            assert response.status_code < 500, f"portal GET {path}: {response.text[:300]}"
            if response.status_code == 200:
                shown.append(path)
            if leaked := leaks(response, needles):
                found.append(f"portal GET {path} {response.status_code}: {leaked}")
    return shown, found


async def test_public_answers_carry_no_personal_data(
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory: Callable[[str], Awaitable[str]],
    identity_provider: IdentityProvider,
) -> None:
    needles = personal_data()
    async with running_stack(infra, isolated_kafka, database_factory, "privacy") as stack:
        world = await seed_world(stack)
        await add_resident_profile(stack)
        resident_booking = await add_resident_booking(stack, world)
        await _the_seed_holds_the_people(stack, world, needles, resident_booking)
        await _the_guide_shows_the_activities(stack, world)
        scanned: list[str] = []
        found: list[str] = []
        for service in SERVICES:
            client = stack[service].client
            document = (await client.get("/openapi.json")).json()
            for probe in probes(service, document, world):
                response = await client.request(probe.method, probe.path, params=probe.params)
                assert response.status_code < 500, f"{probe}: {response.text[:300]}"
                if response.status_code == 401:
                    continue
                scanned.append(f"{service} {probe.method} {probe.path} {response.status_code}")
                if leaked := leaks(response, needles):
                    found.append(f"{service} {probe.method} {probe.path}: {leaked}")
        pages, leaked_pages = await scan_portal(stack, infra, identity_provider, world, needles)
        found += leaked_pages
    sides = (world.mine, world.theirs)
    public_feeds = [line for line in scanned if "/feeds/spaces/" in line and line.endswith(" 200")]
    assert len(public_feeds) >= 4, scanned
    # The seasonal rounds are public and were read with each side's round present.
    rounds = [f"booking GET /rounds/{side.round_id} 200" for side in (world.mine, world.theirs)]
    rounds.append("booking GET /rounds 200")
    assert set(rounds) <= set(scanned), scanned
    assert len(scanned) > 40, scanned
    # The activity guide and its feeds were read with both sides' public activities in them.
    guide = [f"notifications GET /guide/{s.district}/{s.activity_name}.ics 200" for s in sides]
    assert {"notifications GET /guide 200", *guide} <= set(scanned), scanned
    # The visitor's pages were shown, not only redirects to the login.
    halls = [f"/lokaler/{side.space_id}" for side in (world.mine, world.theirs)]
    assert {"/", "/ledige-lokaler", "/utstyr", "/aktiviteter", *halls} <= set(pages), pages
    assert found == [], "\n".join(found)


async def _the_guide_shows_the_activities(stack: Stack, world: World) -> None:
    """Both sides' series are in the public guide and their feeds before the scan."""
    client = stack["notifications"].client

    async def listed() -> bool:
        answer = (await client.get("/guide")).json()
        shown = {activity["series_id"] for activity in answer["activities"]}
        return {world.mine.series_id, world.theirs.series_id} <= shown

    await eventually(listed)
    for side in (world.mine, world.theirs):
        feed = await client.get(f"/guide/{side.district}/{side.activity_name}.ics")
        assert f"activity-{side.series_id}@samspill" in feed.text


async def _the_seed_holds_the_people(
    stack: Stack, world: World, needles: list[str], resident_booking: str
) -> None:
    """The scan has teeth: the people are there, behind authorization."""
    member = stack.header("member-mine")
    organisation = await stack["booking"].client.get(
        f"/organisations/{world.mine.organisation_id}", headers=member
    )
    assert PEOPLE["mine_org"]["email"] in organisation.text
    resident = stack.header(RESIDENTS["mine"])
    loan = await stack["booking"].client.get(f"/loans/{world.mine.loan_id}", headers=resident)
    # Phone numbers are kept in E.164: "+47 934 56 781" comes back as "+4793456781".
    assert "+" + re.sub(r"\D", "", PEOPLE["mine_loan"]["phone"]) in loan.text
    assert leaks(loan, needles)
    booking = await stack["booking"].client.get(f"/bookings/{resident_booking}", headers=resident)
    assert RESIDENT_BOOKER["email"] in booking.text
    assert stack.person(RESIDENTS["mine"]) in booking.text  # the resident's person id
