"""What the application pages read from booking: rounds, a club's applications, its
waiting-list offers and teams. Never a change."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from portal.apis import ApiRefused, Apis

BOOKING_ROLES = frozenset({"administrator", "booker"})


@dataclass(frozen=True)
class Club:
    organisation_id: str
    name: str
    role: str

    @property
    def may_apply(self) -> bool:
        return self.role in BOOKING_ROLES

    @property
    def administers(self) -> bool:
        return self.role == "administrator"


async def my_clubs(apis: Apis, token: str) -> list[Club]:
    """The person's clubs with their role, by name."""
    me = await apis.get("booking", "/me", token=token)
    clubs = [
        Club(str(m["organisation_id"]), str(m.get("organisation_name") or ""), str(m["role"]))
        for m in me.get("memberships", [])
    ]
    return sorted(clubs, key=lambda club: club.name.casefold())


async def club_of(apis: Apis, token: str, organisation_id: uuid.UUID) -> Club | None:
    """The person's membership of the club, or None."""
    return next(
        (c for c in await my_clubs(apis, token) if c.organisation_id == str(organisation_id)),
        None,
    )


async def rounds(apis: Apis, token: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await apis.get("booking", "/rounds", token=token)
    return found


async def round_(apis: Apis, token: str, round_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/rounds/{round_id}", token=token)
    return found


async def organisation(apis: Apis, token: str, organisation_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get(
        "booking", f"/organisations/{organisation_id}", token=token
    )
    return found


async def application(
    apis: Apis, token: str, round_id: uuid.UUID, organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    """The club's application to the round, or None when it has not applied."""
    path = f"/rounds/{round_id}/applications/{organisation_id}"
    try:
        found: dict[str, Any] = await apis.get("booking", path, token=token)
    except ApiRefused as refused:
        if refused.status == 404:
            return None
        raise
    return found


async def club_applications(apis: Apis, token: str, club: Club) -> list[dict[str, Any]]:
    """The club's applications across rounds (with each round's name and state); none when
    the person may not see them."""
    path = f"/organisations/{club.organisation_id}/applications"
    try:
        found: list[dict[str, Any]] = await apis.get("booking", path, token=token)
    except ApiRefused as refused:
        if refused.status in (403, 404):
            return []
        raise
    return found


async def applications_by_club(
    apis: Apis, token: str, clubs: list[Club]
) -> list[tuple[Club, list[dict[str, Any]]]]:
    found = await asyncio.gather(*(club_applications(apis, token, club) for club in clubs))
    return list(zip(clubs, found, strict=True))


async def teams(apis: Apis, token: str, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    """The club's teams by name; none when the person may not see them."""
    path = f"/organisations/{organisation_id}/teams"
    try:
        found: list[dict[str, Any]] = await apis.get("booking", path, token=token)
    except ApiRefused as refused:
        if refused.status in (403, 404):
            return []
        raise
    return sorted(found, key=lambda team: str(team.get("name", "")).casefold())


async def waiting_offers(
    apis: Apis, token: str, organisation_id: uuid.UUID
) -> list[dict[str, Any]]:
    path = f"/organisations/{organisation_id}/waiting-offers"
    found: list[dict[str, Any]] = await apis.get("booking", path, token=token)
    return found


async def given_back_offers(
    apis: Apis, token: str, organisation_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Time other clubs gave back, offered to this club (newest first)."""
    path = f"/organisations/{organisation_id}/given-back-offers"
    found: list[dict[str, Any]] = await apis.get("booking", path, token=token)
    return found
