"""The expected authorization of every route of every service, by role and by whose object.

Each route (method, path template) has one `Rule`: who passes authorization, and how to build a
request aimed at "mine" or "theirs" (`Side`). A route missing here, or an entry whose route is
gone, fails the matrix test, so a new endpoint cannot be left out.

Reach:
- PUBLIC: everyone, with or without a token, on anyone's object.
- CAPABILITY: the secret in the path is the key: the real one opens, a guessed one is a 404.
- SCOPED: the object belongs to a side; `roles` reach "mine", admin (and the rule's `everywhere`
  roles) reach both, everyone else gets 403/404 and a caller without a token 401.
- ROLE: no one's object; `roles` (and admin) may call it, other roles get 403/404.
- FILTERED: every signed-in caller gets a list, which holds nothing of "theirs" (admin sees all).
- INVITEE: an invitation's code, to be accepted by its addressee: without a token 401; a
  guessed code is a 404; the real code is refused (403) to every caller, none of whom it was
  sent to.

Every caller is a person (so also a resident) whose reach comes from grants stored as data:
see `authz_world.Callers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from tests.reliability.authz_world import (
    ORG_NUMBERS,
    PEOPLE,
    Side,
    World,
    before_opening,
    local,
    public_activity_body,
)

ROLES = (
    "anonymous",
    "resident",
    "org_member",
    "facility_manager",
    "centre_staff",
    "emergency_staff",
    "admin",
)
GUESSED_TOKEN = "A" * 43


class Reach(StrEnum):
    PUBLIC = "public"
    CAPABILITY = "capability"
    SCOPED = "scoped"
    ROLE = "role"
    FILTERED = "filtered"
    INVITEE = "invitee"


class Outcome(StrEnum):
    ALLOW = "allow"
    DENY = "deny (403/404)"
    UNAUTHENTICATED = "401"
    FILTERED = "200 without theirs"


@dataclass(frozen=True)
class Probe:
    path: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)


Build = Callable[[Side, World], Probe]


@dataclass(frozen=True)
class Rule:
    reach: Reach
    build: Build
    roles: frozenset[str] = frozenset()
    # Probed after every other route of every service: the call erases its caller or target.
    last: bool = False
    # Roles that reach every side's object as the admin does (SCOPED only): e.g. the emergency
    # staff read any organisation's preparedness.
    everywhere: frozenset[str] = frozenset()

    def expect(self, role: str, side: str) -> Outcome:
        """The outcome for a caller in `role` aiming at `side` ("mine" or "theirs")."""
        if self.reach is Reach.PUBLIC:
            return Outcome.ALLOW
        if self.reach is Reach.CAPABILITY:
            return Outcome.ALLOW if side == "mine" else Outcome.DENY
        if role == "anonymous":
            return Outcome.UNAUTHENTICATED
        if self.reach is Reach.INVITEE:
            return Outcome.DENY
        if self.reach is Reach.FILTERED:
            return Outcome.ALLOW if role == "admin" else Outcome.FILTERED
        if role == "admin" or role in self.everywhere:
            return Outcome.ALLOW
        if self.reach is Reach.SCOPED and side == "theirs":
            return Outcome.DENY
        return Outcome.ALLOW if role in self.roles else Outcome.DENY

    @property
    def sides(self) -> tuple[str, ...]:
        """ROLE and FILTERED routes name no one's object: one probe per role is enough."""
        return ("mine",) if self.reach in (Reach.ROLE, Reach.FILTERED) else ("mine", "theirs")


def at(template: str, **params: str) -> Build:
    """A probe of a path whose `{name}` placeholders are the side's ids of that name."""

    def build(side: Side, world: World) -> Probe:
        values = {name: getattr(side, name) for name in _names(template)}
        return Probe(template.format(**values), params=dict(params))

    return build


def _names(template: str) -> list[str]:
    return [part.split("}")[0] for part in template.split("{")[1:]]


def public(template: str, **params: str) -> Rule:
    return Rule(Reach.PUBLIC, at(template, **params))


def scoped(roles: set[str], build: Build, *, everywhere: set[str] | None = None) -> Rule:
    return Rule(Reach.SCOPED, build, frozenset(roles), everywhere=frozenset(everywhere or ()))


def role(roles: set[str], build: Build) -> Rule:
    return Rule(Reach.ROLE, build, frozenset(roles))


def filtered(template: str) -> Rule:
    return Rule(Reach.FILTERED, at(template))


def with_body(template: str, body: Callable[[Side, World], Any]) -> Build:
    def build(side: Side, world: World) -> Probe:
        return Probe(at(template)(side, world).path, json=body(side, world))

    return build


def _day(world: World, days: int, hour: int) -> str:
    return local(world.on(days), hour)


# --- facilities ----------------------------------------------------------------------------

MANAGER = {"facility_manager"}
STAFF = {"centre_staff"}
ADMIN_ONLY: set[str] = set()
EMERGENCY = {"emergency_staff"}
PERSONS = {"resident", "org_member", "facility_manager", "centre_staff", "emergency_staff"}
# A person no caller is: the admin grants and revokes them on "theirs".
BYSTANDER = "6b0c2f4e-8a55-5d2e-9a39-1f7a3c0d9e21"


def _quote(side: Side, world: World) -> Probe:
    return Probe(
        "/price-quote",
        params={
            "space_id": side.space_id,
            "start": _day(world, 7, 18),
            "end": _day(world, 7, 20),
            "category": "commercial",
        },
    )


def _occurrences(side: Side, world: World) -> Probe:
    path = f"/spaces/{side.space_id}/windows/{side.window_id}/occurrences"
    return Probe(path, params={"from": str(world.day), "to": str(world.day + timedelta(days=6))})


def _requisition(side: Side, world: World) -> dict[str, Any]:
    start, end = before_opening(world, 61)
    return {"site_id": side.site_id, "start": start, "end": end, "reason": "Øvelse"}


FACILITIES: dict[tuple[str, str], Rule] = {
    ("GET", "/sites"): public("/sites"),
    ("GET", "/sites/{site_id}"): public("/sites/{site_id}"),
    ("POST", "/sites"): role(
        ADMIN_ONLY,
        with_body(
            "/sites",
            lambda side, world: {
                "kind": "school",
                "name": "Ny skole",
                "address": "Skoleveien 2, 2000 Lillestrøm",
                "district": "strommen",
                "contact": {"name": "Skolekontoret"},
            },
        ),
    ),
    ("PATCH", "/sites/{site_id}"): scoped(
        MANAGER, with_body("/sites/{site_id}", lambda side, world: {"address": "Nyveien 3"})
    ),
    ("GET", "/spaces"): public("/spaces"),
    ("GET", "/spaces/{space_id}"): public("/spaces/{space_id}"),
    ("POST", "/spaces"): scoped(
        MANAGER,
        with_body(
            "/spaces",
            lambda side, world: {
                "site_id": side.site_id,
                "name": "Klasserom 101",
                "kind": "classroom",
                "capacity": 25,
            },
        ),
    ),
    ("PATCH", "/spaces/{space_id}"): scoped(
        MANAGER, with_body("/spaces/{space_id}", lambda side, world: {"capacity": 70})
    ),
    ("DELETE", "/spaces/{space_id}"): scoped(MANAGER, at("/spaces/{space_id}")),
    ("GET", "/spaces/{space_id}/windows"): public("/spaces/{space_id}/windows"),
    ("POST", "/spaces/{space_id}/windows"): scoped(
        MANAGER,
        with_body(
            "/spaces/{space_id}/windows",
            lambda side, world: {
                "kind": "one_off",
                "day": str(world.on(150)),
                "start_time": "09:00",
                "end_time": "12:00",
            },
        ),
    ),
    ("DELETE", "/spaces/{space_id}/windows/{window_id}"): scoped(
        MANAGER, at("/spaces/{space_id}/windows/{window_id}")
    ),
    ("POST", "/spaces/{space_id}/windows/{window_id}/withdraw-dates"): scoped(
        MANAGER,
        with_body(
            "/spaces/{space_id}/windows/{window_id}/withdraw-dates",
            lambda side, world: {"dates": [str(world.on(100))]},
        ),
    ),
    ("GET", "/spaces/{space_id}/windows/{window_id}/occurrences"): Rule(Reach.PUBLIC, _occurrences),
    ("GET", "/closures"): public("/closures"),
    ("POST", "/closures"): scoped(
        MANAGER,
        with_body(
            "/closures",
            lambda side, world: {
                "space_id": side.space_id,
                "start": _day(world, 95, 8),
                "end": _day(world, 95, 12),
                "reason": "exam",
            },
        ),
    ),
    ("DELETE", "/closures/{closure_id}"): scoped(MANAGER, at("/closures/{closure_id}")),
    ("GET", "/price-rules"): public("/price-rules"),
    ("POST", "/price-rules"): role(
        ADMIN_ONLY,
        with_body(
            "/price-rules",
            lambda side, world: {
                "space_id": side.space_id,
                "category": "private",
                "hourly_rate_ore": 20_000,
            },
        ),
    ),
    ("PATCH", "/price-rules/{rule_id}"): scoped(
        ADMIN_ONLY,
        with_body("/price-rules/{rule_id}", lambda side, world: {"hourly_rate_ore": 60_000}),
    ),
    ("DELETE", "/price-rules/{rule_id}"): scoped(ADMIN_ONLY, at("/price-rules/{rule_id}")),
    ("GET", "/price-quote"): Rule(Reach.PUBLIC, _quote),
    ("GET", "/price-list"): public("/price-list"),
    ("GET", "/centres/{centre_id}/item-types"): public("/centres/{centre_id}/item-types"),
    ("POST", "/centres/{centre_id}/item-types"): scoped(
        STAFF,
        with_body(
            "/centres/{centre_id}/item-types",
            lambda side, world: {"name": "Skøyter", "category": "vinter", "variant": "36"},
        ),
    ),
    ("GET", "/item-types/{item_type_id}"): public("/item-types/{item_type_id}"),
    ("PATCH", "/item-types/{item_type_id}"): scoped(
        STAFF, with_body("/item-types/{item_type_id}", lambda side, world: {"max_loan_days": 10})
    ),
    ("DELETE", "/item-types/{item_type_id}"): scoped(STAFF, at("/item-types/{item_type_id}")),
    ("GET", "/item-types/{item_type_id}/units"): scoped(
        STAFF, at("/item-types/{item_type_id}/units")
    ),
    ("POST", "/item-types/{item_type_id}/units"): scoped(
        STAFF,
        with_body("/item-types/{item_type_id}/units", lambda side, world: {"label": "SKI-NY"}),
    ),
    ("PATCH", "/units/{unit_id}"): scoped(
        STAFF,
        with_body(
            "/units/{unit_id}", lambda side, world: {"condition": "ok", "notes": "Smurt i dag"}
        ),
    ),
    ("DELETE", "/units/{unit_id}"): scoped(STAFF, at("/units/{unit_id}")),
    ("GET", "/sites/{site_id}/managers"): scoped(MANAGER, at("/sites/{site_id}/managers")),
    ("PUT", "/sites/{site_id}/managers/{person_id}"): scoped(
        ADMIN_ONLY, at(f"/sites/{{site_id}}/managers/{BYSTANDER}")
    ),
    ("DELETE", "/sites/{site_id}/managers/{person_id}"): scoped(
        ADMIN_ONLY, at(f"/sites/{{site_id}}/managers/{BYSTANDER}")
    ),
    ("GET", "/centres/{centre_id}/staff"): scoped(STAFF, at("/centres/{centre_id}/staff")),
    ("PUT", "/centres/{centre_id}/staff/{person_id}"): scoped(
        ADMIN_ONLY, at(f"/centres/{{centre_id}}/staff/{BYSTANDER}")
    ),
    ("DELETE", "/centres/{centre_id}/staff/{person_id}"): scoped(
        ADMIN_ONLY, at(f"/centres/{{centre_id}}/staff/{BYSTANDER}")
    ),
    ("GET", "/staff-grants"): role(ADMIN_ONLY, at("/staff-grants")),
    ("PUT", "/sites/{site_id}/preparedness"): scoped(
        MANAGER,
        with_body(
            "/sites/{site_id}/preparedness",
            lambda side, world: {"evacuation_capacity": 200, "beds": 40, "kitchen": True},
        ),
    ),
    # The emergency staff's (and admins'): a new requisition in the small hours cancels
    # nothing; the lift probe's requisition was made for it (the admin, after the emergency
    # staff, meets 409: lifted already).
    ("GET", "/requisitions"): role(EMERGENCY, at("/requisitions")),
    ("POST", "/requisitions"): role(EMERGENCY, with_body("/requisitions", _requisition)),
    ("POST", "/requisitions/{requisition_id}/lift"): role(
        EMERGENCY, at("/requisitions/{requisition_id}/lift")
    ),
    ("PUT", "/emergency-staff/{person_id}"): role(ADMIN_ONLY, at(f"/emergency-staff/{BYSTANDER}")),
    ("DELETE", "/emergency-staff/{person_id}"): role(
        ADMIN_ONLY, at(f"/emergency-staff/{BYSTANDER}")
    ),
}

# --- booking -------------------------------------------------------------------------------

MEMBER = {"org_member"}
MEMBER_OR_MANAGER = {"org_member", "facility_manager"}
RESIDENT_OR_STAFF = {"resident", "centre_staff"}


def _booking_body(side: Side, world: World) -> dict[str, Any]:
    return {
        "space_id": side.space_id,
        "organisation_id": side.organisation_id,
        "activity": "volleyball",
        "audience": "non_profit",
        "participants": 12,
        "start": _day(world, 9, 19),
        "end": _day(world, 9, 21),
    }


def _series_body(side: Side, world: World) -> dict[str, Any]:
    first, *_, last = world.weekly(3, 42)
    return {
        "space_id": side.space_id,
        "organisation_id": side.organisation_id,
        "activity": "innebandy",
        "audience": "children_youth",
        "participants": 20,
        "weekday": first.weekday(),
        "start_time": "20:00",
        "end_time": "21:00",
        "first_date": str(first),
        "last_date": str(last),
    }


def _direct_entry_body(side: Side, world: World) -> dict[str, Any]:
    return {
        "organisation_id": side.organisation_id,
        "space_id": side.space_id,
        "weekday": 2,
        "start": "21:00",
        "end": "22:00",
        "activity": "bordtennis",
        "age_group": "adults",
        "group_size": 8,
    }


def _loan_body(side: Side, world: World) -> dict[str, Any]:
    return {
        "pickup_date": str(world.day + timedelta(days=10)),
        "return_date": str(world.day + timedelta(days=11)),
        "lines": [{"item_type_id": side.item_type_id, "quantity": 1}],
        "contact": {"email": PEOPLE["mine_loan"]["email"], "channel": "email"},
    }


def _usage(path: str) -> Build:
    def build(side: Side, world: World) -> Probe:
        period = {"from": str(world.day), "to": str(world.day + timedelta(days=30))}
        return Probe(path, params=period)

    return build


def _lending_availability(side: Side, world: World) -> Probe:
    return Probe(
        "/lending/availability",
        params={
            "centre_id": side.centre_id,
            "pickup_date": str(world.day + timedelta(days=3)),
            "return_date": str(world.day + timedelta(days=4)),
        },
    )


def _availability(side: Side, world: World) -> Probe:
    day = world.on(7)
    return Probe(
        "/availability",
        params={
            "space_id": side.space_id,
            "from": local(day, 8),
            "to": local(day + timedelta(days=1), 8),
        },
    )


def _invitation(suffix: str) -> Rule:
    """The side's real invitation code for "mine", a guessed one for "theirs"."""

    def build(side: Side, world: World) -> Probe:
        code = side.invitation_code if side is world.mine else GUESSED_TOKEN
        return Probe(f"/invitations/{code}{suffix}")

    return Rule(Reach.INVITEE if suffix else Reach.CAPABILITY, build)


# Members, roles and invitations: "mine" member administers "mine" organisation. Changing or
# removing themself is refused as the last administrator (409), which still proves the
# authorization passed and changes nothing.
MEMBERS = "/organisations/{organisation_id}/members"
INVITATIONS = "/organisations/{organisation_id}/invitations"
TEAMS = "/organisations/{organisation_id}/teams"
ACTIVITY = "/booking-series/{series_id}/public-activity"
PREPAREDNESS = "/organisations/{organisation_id}/preparedness"
ROUNDS = "/rounds"
ROUND = "/rounds/{round_id}"
APPLICATION = ROUND + "/applications/{organisation_id}"
TIME = ROUND + "/allocation/times/{time_id}"


def _new_round(side: Side, world: World) -> dict[str, Any]:
    """A later round over the side's space; its season is after the seeded round's."""
    opens = world.day + timedelta(days=200)
    return {
        "name": "Neste sesong",
        "applications_open": str(opens),
        "applications_close": str(opens + timedelta(days=7)),
        "allocation_until": str(opens + timedelta(days=14)),
        "results_date": str(opens + timedelta(days=21)),
        "season_first_date": str(opens + timedelta(days=28)),
        "season_last_date": str(opens + timedelta(days=90)),
        "space_ids": [side.space_id],
    }


def _application_body(side: Side, world: World) -> dict[str, Any]:
    # The round's results are sent: the club's bookers pass authorization and meet a 409.
    return {
        "sections": [
            {
                "name": "G16",
                "activity": "håndball",
                "age_group": "youth",
                "group_size": 14,
                "times_per_week": 1,
                "min_minutes": 60,
                "max_minutes": 90,
                "halls": [side.space_id],
                "preferred": [{"weekday": 1, "start": "18:00", "end": "19:30"}],
            }
        ]
    }


def _forced_time(side: Side, world: World) -> dict[str, Any]:
    """The waiting section at another time of the round's evening."""
    return {
        "section_id": side.section_id,
        "space_id": side.space_id,
        "weekday": 1,
        "start": "20:00",
        "end": "21:30",
    }


BOOKING: dict[tuple[str, str], Rule] = {
    ("GET", "/me"): role(PERSONS, at("/me")),
    # A person erases themselves (the last administrator of a club is refused with 409).
    ("POST", "/me/erasure"): Rule(Reach.ROLE, at("/me/erasure"), frozenset(PERSONS), last=True),
    ("POST", "/people/{person_id}/erasure"): Rule(
        Reach.ROLE,
        with_body(f"/people/{BYSTANDER}/erasure", lambda side, world: {"reason": "Sak 2026/118"}),
        last=True,
    ),
    ("PUT", "/me/profile"): role(
        PERSONS,
        with_body(
            "/me/profile",
            lambda side, world: {"display_name": "Matrise", "email": "matrise@example.org"},
        ),
    ),
    ("GET", MEMBERS): scoped(MEMBER, at(MEMBERS)),
    ("PATCH", MEMBERS + "/{person_id}"): scoped(
        MEMBER,
        with_body(MEMBERS + "/{member_person}", lambda side, world: {"role": "booker"}),
    ),
    ("DELETE", MEMBERS + "/{person_id}"): scoped(MEMBER, at(MEMBERS + "/{member_person}")),
    ("POST", INVITATIONS): scoped(
        MEMBER,
        with_body(INVITATIONS, lambda side, world: {"email": "ny@example.org", "role": "booker"}),
    ),
    ("GET", INVITATIONS): scoped(MEMBER, at(INVITATIONS)),
    ("DELETE", INVITATIONS + "/{invitation_id}"): scoped(
        MEMBER, at(INVITATIONS + "/{invitation_id}")
    ),
    ("GET", "/invitations/{code}"): _invitation(""),
    ("POST", "/invitations/{code}/accept"): _invitation("/accept"),
    ("POST", "/organisations"): role(
        PERSONS,
        with_body(
            "/organisations",
            lambda side, world: {
                "name": "Samme nummer",
                "org_number": ORG_NUMBERS["mine"],
                "category": "culture",
                "contact": {"name": "Styret"},
            },
        ),
    ),
    ("GET", "/organisations"): filtered("/organisations"),
    ("GET", "/organisations/{organisation_id}"): scoped(
        MEMBER, at("/organisations/{organisation_id}")
    ),
    ("GET", "/availability"): Rule(Reach.PUBLIC, _availability),
    ("POST", "/bookings"): scoped(MEMBER, with_body("/bookings", _booking_body)),
    ("GET", "/bookings"): filtered("/bookings"),
    ("GET", "/bookings/{booking_id}"): scoped(MEMBER_OR_MANAGER, at("/bookings/{booking_id}")),
    ("POST", "/bookings/{booking_id}/approve"): scoped(
        MANAGER, at("/bookings/{booking_id}/approve")
    ),
    ("POST", "/bookings/{booking_id}/reject"): scoped(MANAGER, at("/bookings/{booking_id}/reject")),
    ("POST", "/bookings/{booking_id}/cancel"): scoped(
        MEMBER_OR_MANAGER, at("/bookings/{booking_id}/cancel")
    ),
    ("POST", "/booking-series"): scoped(MEMBER, with_body("/booking-series", _series_body)),
    ("POST", "/booking-series/preview"): scoped(
        MEMBER, with_body("/booking-series/preview", _series_body)
    ),
    ("GET", "/booking-series/{series_id}"): scoped(
        MEMBER_OR_MANAGER, at("/booking-series/{series_id}")
    ),
    ("POST", "/booking-series/{series_id}/cancel"): scoped(
        MEMBER_OR_MANAGER,
        with_body(
            "/booking-series/{series_id}/cancel",
            lambda side, world: {"from_date": str(world.day + timedelta(days=28))},
        ),
    ),
    ("POST", "/booking-series/{series_id}/occurrences/{booking_id}/cancel"): scoped(
        MEMBER_OR_MANAGER, at("/booking-series/{series_id}/occurrences/{series_booking_id}/cancel")
    ),
    # Teams: members read, administrators write; a series is handed over by the club's bookers.
    ("GET", TEAMS): scoped(MEMBER, at(TEAMS)),
    ("POST", TEAMS): scoped(
        MEMBER,
        with_body(TEAMS, lambda side, world: {"name": "J14", "contact": {"name": "Leder"}}),
    ),
    ("GET", TEAMS + "/{team_id}"): scoped(MEMBER, at(TEAMS + "/{team_id}")),
    ("PATCH", TEAMS + "/{team_id}"): scoped(
        MEMBER,
        with_body(TEAMS + "/{team_id}", lambda side, world: {"contact": {"name": "Ny leder"}}),
    ),
    ("DELETE", TEAMS + "/{team_id}"): scoped(MEMBER, at(TEAMS + "/{team_id}")),
    # Preparedness: the club's members read it, and the emergency staff (like the admin) read
    # every club's, 24/7 contact included; only its administrators (and the admin) write it.
    # The overview is the emergency staff's and the admin's.
    ("GET", PREPAREDNESS): scoped(MEMBER, at(PREPAREDNESS), everywhere=EMERGENCY),
    ("PUT", PREPAREDNESS): scoped(
        MEMBER,
        with_body(
            PREPAREDNESS,
            lambda side, world: {"volunteers": {"førstehjelp": 4}, "vehicles": ["Minibuss"]},
        ),
    ),
    ("GET", "/preparedness/overview"): role(EMERGENCY, at("/preparedness/overview")),
    ("PUT", "/booking-series/{series_id}/team"): scoped(
        MEMBER,
        with_body("/booking-series/{series_id}/team", lambda side, world: {"team_id": None}),
    ),
    # A series' public activity: the club's bookers publish it or make it private; whoever
    # sees the series reads it.
    ("GET", ACTIVITY): scoped(MEMBER_OR_MANAGER, at(ACTIVITY)),
    ("PUT", ACTIVITY): scoped(
        MEMBER, with_body(ACTIVITY, lambda side, world: public_activity_body(side.activity_name))
    ),
    ("DELETE", ACTIVITY): scoped(MEMBER, at(ACTIVITY)),
    # Seasonal rounds: anyone reads them, the municipal admin runs them; a club's members read
    # its application and offers, its administrators and bookers apply and answer offers.
    ("GET", ROUNDS): public(ROUNDS),
    ("POST", ROUNDS): role(ADMIN_ONLY, with_body(ROUNDS, _new_round)),
    ("GET", ROUND): public(ROUND),
    ("PATCH", ROUND): role(ADMIN_ONLY, with_body(ROUND, lambda side, world: {"name": "Vår"})),
    ("POST", ROUND + "/close"): role(ADMIN_ONLY, at(ROUND + "/close")),
    ("GET", ROUND + "/applications"): role(ADMIN_ONLY, at(ROUND + "/applications")),
    ("PUT", APPLICATION): scoped(MEMBER, with_body(APPLICATION, _application_body)),
    ("GET", APPLICATION): scoped(MEMBER, at(APPLICATION)),
    ("POST", APPLICATION + "/withdraw"): scoped(MEMBER, at(APPLICATION + "/withdraw")),
    ("GET", "/organisations/{organisation_id}/applications"): scoped(
        MEMBER, at("/organisations/{organisation_id}/applications")
    ),
    ("POST", ROUND + "/allocation/run"): role(
        ADMIN_ONLY, with_body(ROUND + "/allocation/run", lambda side, world: {"method": "greedy"})
    ),
    ("GET", ROUND + "/allocation"): role(ADMIN_ONLY, at(ROUND + "/allocation")),
    ("POST", TIME + "/lock"): role(ADMIN_ONLY, at(TIME + "/lock")),
    ("POST", TIME + "/unlock"): role(ADMIN_ONLY, at(TIME + "/unlock")),
    ("DELETE", TIME): role(ADMIN_ONLY, at(TIME)),
    ("POST", ROUND + "/allocation/times"): role(
        ADMIN_ONLY, with_body(ROUND + "/allocation/times", _forced_time)
    ),
    ("POST", ROUND + "/allocation/accept"): role(ADMIN_ONLY, at(ROUND + "/allocation/accept")),
    ("POST", ROUND + "/allocation/reopen"): role(ADMIN_ONLY, at(ROUND + "/allocation/reopen")),
    ("POST", ROUND + "/publish"): role(ADMIN_ONLY, at(ROUND + "/publish")),
    ("GET", ROUND + "/waiting-list"): role(ADMIN_ONLY, at(ROUND + "/waiting-list")),
    ("GET", "/organisations/{organisation_id}/waiting-offers"): scoped(
        MEMBER, at("/organisations/{organisation_id}/waiting-offers")
    ),
    ("POST", "/waiting-offers/{offer_id}/accept"): scoped(
        MEMBER, at("/waiting-offers/{offer_id}/accept")
    ),
    ("POST", "/waiting-offers/{offer_id}/decline"): scoped(
        MEMBER, at("/waiting-offers/{offer_id}/decline")
    ),
    # Giving time back: the club's bookers; a series' rest from a date after it has ended is
    # refused (409) once authorised, so the probe changes nothing.
    ("POST", "/bookings/{booking_id}/give-back"): scoped(
        MEMBER, at("/bookings/{booking_id}/give-back")
    ),
    ("POST", "/booking-series/{series_id}/give-back"): scoped(
        MEMBER,
        with_body(
            "/booking-series/{series_id}/give-back",
            lambda side, world: {"from_date": str(world.day + timedelta(days=400))},
        ),
    ),
    ("GET", "/organisations/{organisation_id}/given-back-offers"): scoped(
        MEMBER, at("/organisations/{organisation_id}/given-back-offers")
    ),
    ("POST", "/waiting-list"): scoped(MEMBER, with_body("/waiting-list", _direct_entry_body)),
    ("GET", "/organisations/{organisation_id}/waiting-list"): scoped(
        MEMBER, at("/organisations/{organisation_id}/waiting-list")
    ),
    ("DELETE", "/waiting-list/{entry_id}"): scoped(MEMBER, at("/waiting-list/{direct_entry_id}")),
    ("GET", "/lending/availability"): Rule(Reach.PUBLIC, _lending_availability),
    ("POST", "/loans"): role(PERSONS, with_body("/loans", _loan_body)),
    ("GET", "/loans"): filtered("/loans"),
    ("GET", "/loans/{loan_id}"): scoped(RESIDENT_OR_STAFF, at("/loans/{loan_id}")),
    ("POST", "/loans/{loan_id}/pickup"): scoped(STAFF, at("/loans/{loan_id}/pickup")),
    ("POST", "/loans/{loan_id}/return"): scoped(STAFF, at("/loans/{loan_id}/return")),
    ("POST", "/loans/{loan_id}/cancel"): scoped(RESIDENT_OR_STAFF, at("/loans/{loan_id}/cancel")),
    # Figures over the caller's own sites (centres): admins and managers (centre staff) only.
    ("GET", "/usage"): role(MANAGER, _usage("/usage")),
    ("GET", "/usage/invoice-basis"): role(MANAGER, _usage("/usage/invoice-basis")),
    ("GET", "/usage/loans"): role(STAFF, _usage("/usage/loans")),
}

# --- notifications -------------------------------------------------------------------------


def _feed(kind: str, attribute: str) -> Rule:
    """A private feed: the side's real token for "mine", a guessed one for "theirs"."""

    def build(side: Side, world: World) -> Probe:
        token = getattr(side, attribute) if side is world.mine else GUESSED_TOKEN
        return Probe(f"/feeds/{kind}/{token}.ics")

    return Rule(Reach.CAPABILITY, build)


def _preference(side: Side, world: World) -> Probe:
    return Probe(
        f"/preferences/organisation/{side.organisation_id}",
        json={"channel": "email", "language": "en"},
    )


NOTIFICATIONS: dict[tuple[str, str], Rule] = {
    **{
        (method, path): rule
        for method in ("GET", "HEAD")
        for path, rule in (
            ("/feeds/spaces/{space_id}.ics", public("/feeds/spaces/{space_id}.ics")),
            ("/feeds/sites/{site_id}.ics", public("/feeds/sites/{site_id}.ics")),
            ("/feeds/organisations/{token}.ics", _feed("organisations", "org_token")),
            ("/feeds/loans/{token}.ics", _feed("loans", "loans_token")),
            # The activity guide's feed of a district's activity.
            ("/guide/{district}/{activity}.ics", public("/guide/{district}/{activity_name}.ics")),
        )
    },
    ("GET", "/guide"): public("/guide"),
    ("POST", "/feed-tokens"): scoped(
        MEMBER,
        with_body(
            "/feed-tokens",
            lambda side, world: {"kind": "organisation", "organisation_id": side.organisation_id},
        ),
    ),
    ("GET", "/feed-tokens"): filtered("/feed-tokens"),
    ("DELETE", "/feed-tokens/{token_id}"): scoped(MEMBER, at("/feed-tokens/{org_token_id}")),
    ("GET", "/messages"): filtered("/messages"),
    ("GET", "/messages/{message_id}"): scoped({"resident"}, at("/messages/{message_id}")),
    ("GET", "/preferences"): filtered("/preferences"),
    ("PUT", "/preferences/{kind}/{subject}"): scoped(MEMBER, _preference),
}

# --- every service -------------------------------------------------------------------------

COMMON: dict[tuple[str, str], Rule] = {
    **{
        (method, path): public(path)
        for method in ("GET", "HEAD")
        for path in (
            "/openapi.json",
            "/docs",
            "/docs/swagger-initializer.js",
            "/redoc",
            "/redoc/redoc.css",
        )
    },
    ("GET", "/healthz"): public("/healthz"),
    ("GET", "/readyz"): public("/readyz"),
    ("GET", "/metrics"): public("/metrics"),
    ("GET", "/access-log"): role(ADMIN_ONLY, at("/access-log")),
    ("GET", "/me/data"): role(PERSONS, at("/me/data")),
    ("GET", "/people/{person_id}/data"): role(
        ADMIN_ONLY, at(f"/people/{BYSTANDER}/data", reason="Sak 2026/117")
    ),
}

EXPECTATIONS: dict[str, dict[tuple[str, str], Rule]] = {
    "facilities": {**FACILITIES, **COMMON},
    "booking": {**BOOKING, **COMMON},
    "notifications": {**NOTIFICATIONS, **COMMON},
}
