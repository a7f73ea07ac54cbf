"""Reads for the club pages, from booking (organisations, members, invitations, `/me`) and
notifications (the person's calendar tokens). Never a change."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from portal.apis import ApiRefused, Apis


@dataclass(frozen=True)
class Me:
    person_id: str
    profile: dict[str, Any] | None
    roles: dict[str, str]  # organisation id -> the person's role there

    def role_in(self, organisation_id: uuid.UUID) -> str | None:
        return self.roles.get(str(organisation_id))


@dataclass(frozen=True)
class ClubSummary:
    organisation: dict[str, Any]
    role: str


@dataclass(frozen=True)
class ClubPage:
    organisation: dict[str, Any]
    person_id: str
    role: str | None
    members: list[dict[str, Any]]
    invitations: list[dict[str, Any]] | None  # None: the person does not administer the club
    calendar_tokens: list[dict[str, Any]] = field(default_factory=list)  # live, the person's

    @property
    def administers(self) -> bool:
        return self.role == "administrator"


async def me(apis: Apis, token: str) -> Me:
    found = await apis.get("booking", "/me", token=token)
    roles = {str(m["organisation_id"]): str(m["role"]) for m in found.get("memberships", [])}
    return Me(person_id=str(found["person_id"]), profile=found.get("profile"), roles=roles)


async def my_clubs(apis: Apis, token: str) -> list[ClubSummary]:
    """The person's organisations with their role in each, by name."""
    person = await me(apis, token)
    organisations = await asyncio.gather(
        *(apis.get("booking", f"/organisations/{oid}", token=token) for oid in person.roles)
    )
    clubs = [ClubSummary(o, person.roles[str(o["id"])]) for o in organisations]
    return sorted(clubs, key=lambda club: str(club.organisation["name"]).casefold())


async def club(apis: Apis, token: str, organisation_id: uuid.UUID) -> ClubPage:
    """Everything the club page shows; `ApiRefused` (404) when the person is not a member."""
    path = f"/organisations/{organisation_id}"
    organisation, person, members, tokens = await asyncio.gather(
        apis.get("booking", path, token=token),
        me(apis, token),
        apis.get("booking", f"{path}/members", token=token),
        apis.get("notifications", "/feed-tokens", token=token),
    )
    role = person.role_in(organisation_id)
    invitations = None
    if role == "administrator":
        invitations = await apis.get("booking", f"{path}/invitations", token=token)
    return ClubPage(
        organisation=organisation,
        person_id=person.person_id,
        role=role,
        members=sorted(members, key=_member_order),
        invitations=invitations,
        calendar_tokens=live_calendar_tokens(tokens, organisation_id),
    )


def live_calendar_tokens(tokens: list[dict[str, Any]], organisation_id: uuid.UUID) -> list[Any]:
    return [
        t
        for t in tokens
        if t.get("kind") == "organisation"
        and t.get("subject_id") == str(organisation_id)
        and t.get("revoked_at") is None
    ]


async def calendar_tokens(apis: Apis, token: str, organisation_id: uuid.UUID) -> list[Any]:
    found = await apis.get("notifications", "/feed-tokens", token=token)
    return live_calendar_tokens(found, organisation_id)


async def invitation(apis: Apis, code: str) -> dict[str, Any] | ApiRefused:
    """What the invitation offers, or booking's refusal (404 unknown, 409 used, 410 gone)."""
    try:
        found: dict[str, Any] = await apis.get("booking", f"/invitations/{code}")
    except ApiRefused as refused:
        return refused
    return found


def _member_order(member: dict[str, Any]) -> tuple[int, str]:
    ranks = {"administrator": 0, "booker": 1, "viewer": 2}
    return ranks.get(str(member.get("role")), 3), str(member.get("display_name") or "").casefold()
