"""The three services in one process on one broker, and a seeded world of two of everything.

Every kind of object exists twice: "mine" (reached by the callers of `Callers`) and "theirs"
(owned by other people). The seed carries recognisable personal data (names, emails and phone
numbers of people) so a privacy scan can look for it in everything that is public.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from samspill.kafka import KafkaConfig
from tests.dates import ordinary_day, today, weekly_dates
from tests.support import RunningService, eventually, running_service, settings_for

OSLO = ZoneInfo("Europe/Oslo")
SERVICES = ("facilities", "booking", "notifications")

# People: the contacts of the two organisations and of the two residents' loans.
PEOPLE: dict[str, dict[str, str]] = {
    "mine_org": {
        "name": "Kari Nordmann",
        "email": "kari.nordmann@example.org",
        "phone": "+47 912 34 567",
    },
    "theirs_org": {
        "name": "Ola Nordmann",
        "email": "ola.nordmann@example.org",
        "phone": "+47 987 65 432",
    },
    "mine_loan": {
        "name": "Ingrid Bakken",
        "email": "ingrid.bakken@example.org",
        "phone": "+47 934 56 781",
    },
    "theirs_loan": {
        "name": "Per Haugen",
        "email": "per.haugen@example.org",
        "phone": "+47 945 67 812",
    },
}
ORG_NUMBERS = {"mine": "998877660", "theirs": "987654325"}
RESIDENTS = {"mine": "resident-mine", "theirs": "resident-theirs"}
EMERGENCY_STAFF = "emergency-1"


@dataclass
class Stack:
    """The three services running in this process (lifespan: relay, consumers, schedulers)."""

    services: dict[str, RunningService]

    def __getitem__(self, name: str) -> RunningService:
        return self.services[name]

    def header(self, sub: str, *, admin: bool = False) -> dict[str, str]:
        # The services share the development issuer and secret, so one token reaches all three.
        # It names the person only: what they may do is granted as data in the seeding.
        return self.services["facilities"].token(sub, admin=admin)

    def person(self, sub: str) -> str:
        return self.services["facilities"].person_id(sub)

    async def call(
        self, service: str, method: str, path: str, headers: Mapping[str, str], **kw: Any
    ) -> Any:
        """A request that must succeed; its JSON answer (None when empty)."""
        response = await self[service].client.request(method, path, headers=dict(headers), **kw)
        assert response.status_code < 300, f"{method} {service}{path}: {response.text}"
        return response.json() if response.content else None


@contextlib.asynccontextmanager
async def running_stack(
    infra: Any,
    kafka: KafkaConfig,
    database_factory: Callable[[str], Awaitable[str]],
    label: str,
) -> AsyncIterator[Stack]:
    """Facilities, booking and notifications on their own databases and one broker."""
    async with contextlib.AsyncExitStack() as stack:
        services: dict[str, RunningService] = {}
        for name in SERVICES:
            overrides: dict[str, object] = {}
            if name == "notifications":
                # Nothing listens there: deliveries fail and wait long before a retry.
                overrides = {"smtp_port": 9, "smtp_timeout_s": 1.0, "delivery_retry_base_s": 600}
            settings = settings_for(
                name,
                database_url=await database_factory(f"{label}_{name}"),
                kafka=kafka,
                redis_url=infra.redis.url,
                **overrides,
            )
            services[name] = await stack.enter_async_context(running_service(name, settings))
        yield Stack(services)


# The activity each side's series shows in the public guide.
PUBLIC_ACTIVITIES = {"mine": "Innebandy", "theirs": "Volleyball"}


def public_activity_body(activity: str) -> dict[str, Any]:
    """A public activity with organisation-level facts only (the way to join is a web page)."""
    return {
        "description": f"{activity} for alle som vil lære. Ta med innesko.",
        "activity": activity,
        "age_group": "youth",
        "level": "beginner",
        "languages": ["nb", "en"],
        "takes_new_members": True,
        "how_to_join": "https://klubben.example.org/bli-med",
    }


@dataclass
class Side:
    """The ids of one side's objects ("mine" or "theirs")."""

    site_id: str = ""
    space_id: str = ""
    window_id: str = ""
    closure_id: str = ""
    rule_id: str = ""
    centre_id: str = ""
    item_type_id: str = ""
    unit_id: str = ""
    organisation_id: str = ""
    booking_id: str = ""
    series_id: str = ""
    series_booking_id: str = ""
    loan_id: str = ""
    org_token: str = ""
    org_token_id: str = ""
    loans_token: str = ""
    loans_token_id: str = ""
    message_id: str = ""
    resident: str = ""
    member_person: str = ""  # the person id of the member who administers the organisation
    manager_person: str = ""
    staff_person: str = ""
    invitation_id: str = ""
    invitation_code: str = ""
    team_id: str = ""
    direct_entry_id: str = ""  # the club's place on the direct waiting list
    # The side's series is a public activity in the guide: its district (every seeded site's)
    # and activity name.
    district: str = "lillestrom"
    activity_name: str = ""
    # A seasonal round over the side's space, its results sent: the club's application, the
    # time allocated to its first section and the offer its waiting second section got.
    round_id: str = ""
    application_id: str = ""
    section_id: str = ""  # the section left waiting
    time_id: str = ""
    round_series_id: str = ""
    offer_id: str = ""
    # A requisition of the side's site made for the lift probe, in the small hours before the
    # site's window opens (so it cancels nothing and blocks no probe's booking).
    requisition_id: str = ""


@dataclass
class World:
    mine: Side
    theirs: Side
    day: date  # the day the world was seeded
    extra: dict[str, str] = field(default_factory=dict)

    def side(self, name: str) -> Side:
        return self.mine if name == "mine" else self.theirs

    def on(self, days: int) -> date:
        """An ordinary date (no holiday closes the sites) `days` or more after the seeding."""
        return ordinary_day(days, start=self.day)

    def weekly(self, weeks: int, days: int) -> list[date]:
        """A weekly series' dates from `days` after the seeding on, none of them a holiday."""
        return weekly_dates(weeks, days, start=self.day)


@dataclass(frozen=True)
class Callers:
    """Authorization headers of every role; the scoped ones reach "mine" only."""

    headers: dict[str, dict[str, str]]

    @classmethod
    def of(cls, stack: Stack, world: World) -> Callers:
        """Each caller is a person whose reach the seeding granted as data: the member
        registered "mine" organisation, the manager and the staff were granted "mine" site and
        centre by the admin, the emergency staff the municipality's emergency role, the
        resident took "mine" loan."""
        return cls(
            {
                "anonymous": {},
                "resident": stack.header(RESIDENTS["mine"]),
                "org_member": stack.header("member-mine"),
                "facility_manager": stack.header("manager-mine"),
                "centre_staff": stack.header("staff-mine"),
                "emergency_staff": stack.header(EMERGENCY_STAFF),
                "admin": stack.header("admin-1", admin=True),
            }
        )


def local(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), OSLO).isoformat()


async def seed_world(stack: Stack) -> World:
    """Two of everything through the public APIs, waiting for the events to travel."""
    world = World(mine=Side(resident=RESIDENTS["mine"]), theirs=Side(), day=today())
    world.theirs.resident = RESIDENTS["theirs"]
    admin = stack.header("admin-1", admin=True)
    for name in ("mine", "theirs"):
        await _seed_facilities(stack, admin, world, name)
    await _seed_emergency(stack, admin, world)
    await _wait_for_booking_read_model(stack, world)
    await _wait_for_staff_grants(stack, world)
    for name in ("mine", "theirs"):
        await _seed_booking(stack, admin, world, name)
        await _seed_round(stack, admin, world, name)
    await _wait_for_notifications(stack, world)
    for name in ("mine", "theirs"):
        await _seed_notifications(stack, world, name)
    return world


def _site_body(name: str, kind: str) -> dict[str, Any]:
    # A site's contact is its function address (the office), public by design.
    return {
        "kind": kind,
        "name": f"{name.capitalize()} {kind.replace('_', ' ')}",
        "address": "Storgata 1, 2000 Lillestrøm",
        "district": "lillestrom",
        "contact": {"name": "Sentralbordet", "email": f"post.{name}.{kind}@lillestrom.example"},
    }


async def _seed_facilities(stack: Stack, admin: dict[str, str], world: World, name: str) -> None:
    side = world.side(name)
    site = await stack.call("facilities", "POST", "/sites", admin, json=_site_body(name, "school"))
    side.site_id = site["site_id"]
    side.manager_person = stack.person(f"manager-{name}")
    path = f"/sites/{side.site_id}/managers/{side.manager_person}"
    await stack.call("facilities", "PUT", path, admin)
    manager = stack.header(f"manager-{name}")
    space = await stack.call(
        "facilities",
        "POST",
        "/spaces",
        manager,
        json={"site_id": side.site_id, "name": "Gymsal", "kind": "gym", "capacity": 60},
    )
    side.space_id = space["space_id"]
    window = await stack.call(
        "facilities",
        "POST",
        f"/spaces/{side.space_id}/windows",
        manager,
        json={
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "start_time": "08:00",
            "end_time": "23:00",
            "valid_from": world.day.isoformat(),
            "valid_to": (world.day + timedelta(days=180)).isoformat(),
        },
    )
    side.window_id = window["window_id"]
    closure = await stack.call(
        "facilities",
        "POST",
        "/closures",
        manager,
        json={
            "space_id": side.space_id,
            "start": local(world.on(90), 8),
            "end": local(world.on(90), 23),
            "reason": "maintenance",
        },
    )
    side.closure_id = closure["closure_id"]
    rule = await stack.call(
        "facilities",
        "POST",
        "/price-rules",
        admin,
        json={"space_id": side.space_id, "category": "commercial", "hourly_rate_ore": 50_000},
    )
    side.rule_id = rule["rule_id"]
    await _seed_centre(stack, admin, side, name)


async def _seed_centre(stack: Stack, admin: dict[str, str], side: Side, name: str) -> None:
    centre = await stack.call(
        "facilities", "POST", "/sites", admin, json=_site_body(name, "equipment_centre")
    )
    side.centre_id = centre["site_id"]
    side.staff_person = stack.person(f"staff-{name}")
    await stack.call(
        "facilities", "PUT", f"/centres/{side.centre_id}/staff/{side.staff_person}", admin
    )
    staff = stack.header(f"staff-{name}")
    item_type = await stack.call(
        "facilities",
        "POST",
        f"/centres/{side.centre_id}/item-types",
        staff,
        json={"name": "Langrennski", "category": "vinter", "variant": "130 cm"},
    )
    side.item_type_id = item_type["item_type_id"]
    for number in range(1, 4):
        unit = await stack.call(
            "facilities",
            "POST",
            f"/item-types/{side.item_type_id}/units",
            staff,
            json={"label": f"SKI-{name}-{number}"},
        )
        side.unit_id = side.unit_id or unit["unit_id"]


def before_opening(world: World, days: int) -> tuple[str, str]:
    """05:00–07:00 on an ordinary day: before every space's window opens, so a requisition
    then overlaps no booking or loan."""
    day = world.on(days)
    return local(day, 5), local(day, 7)


async def _seed_emergency(stack: Stack, admin: dict[str, str], world: World) -> None:
    """The admin makes a person the emergency staff, who requisitions "mine" site for the
    lift probe."""
    person = stack.person(EMERGENCY_STAFF)
    world.extra["emergency_person"] = person
    await stack.call("facilities", "PUT", f"/emergency-staff/{person}", admin)
    start, end = before_opening(world, 60)
    body = {"site_id": world.mine.site_id, "start": start, "end": end, "reason": "Øvelse"}
    requisition = await stack.call(
        "facilities", "POST", "/requisitions", stack.header(EMERGENCY_STAFF), json=body
    )
    world.mine.requisition_id = requisition["requisition_id"]


async def _wait_for_booking_read_model(stack: Stack, world: World) -> None:
    client = stack["booking"].client
    start, end = local(world.on(7), 8), local(world.on(7), 23)

    async def spaces_known() -> bool:
        for side in (world.mine, world.theirs):
            found = await client.get(
                "/availability", params={"space_id": side.space_id, "from": start, "to": end}
            )
            if found.status_code != 200 or not found.json():
                return False
        return True

    async def stock_known() -> bool:
        for side in (world.mine, world.theirs):
            found = await client.get(
                "/lending/availability",
                params={
                    "centre_id": side.centre_id,
                    "pickup_date": (world.day + timedelta(days=3)).isoformat(),
                    "return_date": (world.day + timedelta(days=5)).isoformat(),
                },
            )
            types = found.json().get("item_types", []) if found.status_code == 200 else []
            if not types or types[0]["units_free"] < 3:
                return False
        return True

    async def centres_known() -> bool:
        # A loan taken before booking knows its centre's name tells notifications nothing
        # it can render; under load the site event can come after the stock events.
        ids = [uuid.UUID(side.centre_id) for side in (world.mine, world.theirs)]
        async with stack["booking"].app.state.runtime.sessions() as session:
            named = await session.scalar(
                text(
                    "SELECT count(*) FROM read_site "
                    "WHERE site_id = ANY(:ids) AND state->>'name' <> ''"
                ),
                {"ids": ids},
            )
        return named == len(ids)

    await eventually(spaces_known)
    await eventually(stock_known)
    await eventually(centres_known)


async def _wait_for_staff_grants(stack: Stack, world: World) -> None:
    """The staff grants facilities published have reached booking's and notifications' read
    models (the matrix probes both with the same callers)."""
    expected = {
        (side.manager_person, "site", side.site_id) for side in (world.mine, world.theirs)
    } | {(side.staff_person, "centre", side.centre_id) for side in (world.mine, world.theirs)}
    expected.add((world.extra["emergency_person"], "emergency", "municipality"))

    async def applied(service: str) -> bool:
        async with stack[service].app.state.runtime.sessions() as session:
            rows = await session.execute(
                text("SELECT person_id, kind, object_id FROM access_grant")
            )
        return expected <= {tuple(row) for row in rows}

    await eventually(lambda: applied("booking"))
    await eventually(lambda: applied("notifications"))


async def _seed_booking(stack: Stack, admin: dict[str, str], world: World, name: str) -> None:
    side = world.side(name)
    person = PEOPLE[f"{name}_org"]
    member = stack.header(f"member-{name}")
    side.member_person = stack.person(f"member-{name}")
    organisation = await stack.call(
        "booking",
        "POST",
        "/organisations",
        member,
        json={
            "name": f"{name.capitalize()} idrettslag",
            "org_number": ORG_NUMBERS[name],
            "category": "sports",
            "contact": person,
        },
    )
    side.organisation_id = organisation["id"]
    await _seed_invitation(stack, member, side, name)
    common = {
        "space_id": side.space_id,
        "organisation_id": side.organisation_id,
        "activity": "håndball G12",
        "audience": "children_youth",
        "participants": 16,
    }
    day = world.on(7)
    booking = await stack.call(
        "booking",
        "POST",
        "/bookings",
        member,
        json={**common, "start": local(day, 18), "end": local(day, 20)},
    )
    side.booking_id = booking["booking_id"]
    first, *_, last = world.weekly(4, 14)
    series = await stack.call(
        "booking",
        "POST",
        "/booking-series",
        member,
        json={
            **common,
            "weekday": first.weekday(),
            "start_time": "17:00",
            "end_time": "18:00",
            "first_date": first.isoformat(),
            "last_date": last.isoformat(),
        },
    )
    side.series_id = series["id"]
    side.series_booking_id = series["created"][0]["booking_id"]
    team = await stack.call(
        "booking",
        "POST",
        f"/organisations/{side.organisation_id}/teams",
        member,
        json={"name": "G12", "contact": {"name": "Trener"}},
    )
    side.team_id = team["id"]
    entry = await stack.call(
        "booking",
        "POST",
        "/waiting-list",
        member,
        json={
            "organisation_id": side.organisation_id,
            "space_id": side.space_id,
            "weekday": 3,
            "start": "21:00",
            "end": "22:00",
            "activity": "bordtennis",
            "age_group": "adults",
            "group_size": 8,
        },
    )
    side.direct_entry_id = entry["id"]
    side.activity_name = PUBLIC_ACTIVITIES[name]
    await stack.call(
        "booking",
        "PUT",
        f"/booking-series/{side.series_id}/public-activity",
        member,
        json=public_activity_body(side.activity_name),
    )
    await _seed_loan(stack, world, name)


def _round_body(world: World, name: str, space_id: str) -> dict[str, Any]:
    """Open for applications today, its season well after every other date of the world (so
    it blocks no other booking) and inside the space's released window."""
    first = world.on(100)
    return {
        "name": f"Sesongen {name}",
        "applications_open": world.day.isoformat(),
        "applications_close": (world.day + timedelta(days=7)).isoformat(),
        "allocation_until": (world.day + timedelta(days=14)).isoformat(),
        "results_date": (world.day + timedelta(days=21)).isoformat(),
        "season_first_date": first.isoformat(),
        "season_last_date": (first + timedelta(weeks=6)).isoformat(),
        "space_ids": [space_id],
    }


def _round_section(name: str, side: Side, weekday: int) -> dict[str, Any]:
    # Both sections want the same two hours: one is granted, the other waits.
    return {
        "name": name,
        "activity": "håndball",
        "age_group": "youth",
        "group_size": 16,
        "times_per_week": 1,
        "min_minutes": 120,
        "max_minutes": 120,
        "halls": [side.space_id],
        "preferred": [{"weekday": weekday, "start": "18:00", "end": "20:00"}],
    }


async def _seed_round(stack: Stack, admin: dict[str, str], world: World, name: str) -> None:
    """A round over the side's space carried to its results: the club applies with two
    sections for one time, the first gets it, and when the club cancels that series the
    second, waiting, is offered the time."""
    side = world.side(name)
    member = stack.header(f"member-{name}")
    body = _round_body(world, name, side.space_id)
    created = await stack.call("booking", "POST", "/rounds", admin, json=body)
    side.round_id = created["id"]
    weekday = date.fromisoformat(body["season_first_date"]).weekday()
    application = await stack.call(
        "booking",
        "PUT",
        f"/rounds/{side.round_id}/applications/{side.organisation_id}",
        member,
        json={
            "sections": [
                _round_section("G14", side, weekday),
                _round_section("J14", side, weekday),
            ]
        },
    )
    side.application_id = application["id"]
    side.section_id = application["sections"][1]["id"]
    rounds = f"/rounds/{side.round_id}"
    await stack.call("booking", "POST", f"{rounds}/close", admin)
    await stack.call(
        "booking", "POST", f"{rounds}/allocation/run", admin, json={"method": "greedy"}
    )
    await stack.call("booking", "POST", f"{rounds}/allocation/accept", admin)
    await stack.call("booking", "POST", f"{rounds}/publish", admin)
    allocation = await stack.call("booking", "GET", f"{rounds}/allocation", admin)
    (allocated,) = allocation["times"]
    side.time_id, side.round_series_id = allocated["id"], allocated["series_id"]
    await stack.call(
        "booking", "POST", f"/booking-series/{side.round_series_id}/cancel", member, json={}
    )
    offers = await stack.call(
        "booking", "GET", f"/organisations/{side.organisation_id}/waiting-offers", member
    )
    (offer,) = offers
    side.offer_id = offer["id"]


async def _seed_invitation(stack: Stack, member: dict[str, str], side: Side, name: str) -> None:
    """A pending invitation to someone who is none of the callers; its code is read where it
    travels (the outbox record of the event that asks notifications to mail it)."""
    invited = await stack.call(
        "booking",
        "POST",
        f"/organisations/{side.organisation_id}/invitations",
        member,
        json={"email": f"invitee.{name}@example.org", "role": "viewer"},
    )
    side.invitation_id = invited["invitation_id"]
    async with stack["booking"].app.state.runtime.sessions() as session:
        values = await session.scalars(
            text("SELECT value FROM outbox WHERE event_type = :type"),
            {"type": "samspill.booking.invitation.created.v1"},
        )
        for value in values:
            invitation = json.loads(value)["invitation"]
            if invitation["invitation_id"] == side.invitation_id:
                side.invitation_code = invitation["code"]
    assert side.invitation_code


async def _seed_loan(stack: Stack, world: World, name: str) -> None:
    side = world.side(name)
    resident = stack.header(side.resident)
    loan = await stack.call(
        "booking",
        "POST",
        "/loans",
        resident,
        json={
            "pickup_date": (world.day + timedelta(days=3)).isoformat(),
            "return_date": (world.day + timedelta(days=5)).isoformat(),
            "lines": [{"item_type_id": side.item_type_id, "quantity": 1}],
            "contact": {**PEOPLE[f"{name}_loan"], "channel": "email"},
        },
    )
    side.loan_id = loan["loan_id"]


async def _wait_for_notifications(stack: Stack, world: World) -> None:
    client = stack["notifications"].client

    async def booked_in_feed() -> bool:
        for side in (world.mine, world.theirs):
            feed = await client.get(f"/feeds/spaces/{side.space_id}.ics")
            if feed.status_code != 200 or side.booking_id not in feed.text:
                return False
        return True

    await eventually(booked_in_feed)


async def _seed_notifications(stack: Stack, world: World, name: str) -> None:
    side = world.side(name)
    member = stack.header(f"member-{name}")
    resident = stack.header(side.resident)

    async def issued_once_member() -> Any:
        # The membership reaches notifications as an event: until then it answers 404.
        answer = await stack["notifications"].client.post(
            "/feed-tokens",
            headers=member,
            json={"kind": "organisation", "organisation_id": side.organisation_id},
        )
        return answer.json() if answer.status_code == 201 else None

    issued = await eventually(issued_once_member)
    side.org_token, side.org_token_id = issued["token"], issued["id"]
    issued = await stack.call(
        "notifications", "POST", "/feed-tokens", resident, json={"kind": "loans"}
    )
    side.loans_token, side.loans_token_id = issued["token"], issued["id"]
    side.message_id = await _message_of(stack, resident)


async def _message_of(stack: Stack, headers: dict[str, str]) -> str:
    """A message queued for the caller (the loan confirmation reaches the resident)."""

    async def first() -> str | None:
        response = await stack["notifications"].client.get("/messages", headers=headers)
        messages = response.json() if response.status_code == 200 else []
        return str(messages[0]["id"]) if messages else None

    return await eventually(first)
