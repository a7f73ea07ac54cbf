"""Reads for the round pages: booking's rounds, their applications, allocation and waiting
list, and facilities' sites and spaces to choose a round's halls from."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from portal.admin import queries as admin
from portal.apis import ApiRefused, Apis
from portal.domain.rounds import items

# Parts of divisible halls are rounds' halls too; a hall under an equipment centre is not.
NOT_HALLS = frozenset({admin.CENTRE})


async def rounds(apis: Apis, token: str) -> list[dict[str, Any]]:
    found = items(await apis.get("booking", "/rounds", token=token))
    return sorted(found, key=lambda r: str(r.get("season_first_date", "")), reverse=True)


async def one_round(apis: Apis, token: str, round_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/rounds/{round_id}", token=token)
    return found


@dataclass(frozen=True)
class HallChoice:
    space_id: str
    name: str
    part: bool  # a part of a divisible hall


@dataclass(frozen=True)
class SiteHalls:
    site_id: str
    name: str
    halls: list[HallChoice] = field(default_factory=list)


async def hall_choices(apis: Apis) -> list[SiteHalls]:
    """Every site's spaces that are in use, to choose a round's halls from, by site name."""
    sites = [s for s in await admin.sites(apis) if s.get("kind") not in NOT_HALLS]
    spaces = await asyncio.gather(*(admin.spaces_of(apis, str(s["site_id"])) for s in sites))
    found = []
    for site, own in zip(sites, spaces, strict=True):
        halls = [
            HallChoice(str(s["space_id"]), str(s["name"]), bool(s.get("parent_id")))
            for s in sorted(own, key=lambda s: str(s["name"]).casefold())
            if not s.get("retired")
        ]
        if halls:
            found.append(SiteHalls(str(site["site_id"]), str(site["name"]), halls))
    return found


async def _listed(apis: Apis, token: str, path: str, key: str = "items") -> list[dict[str, Any]]:
    """A list under a round the caller already found: none when booking has no such list."""
    try:
        return items(await apis.get("booking", path, token=token), key)
    except ApiRefused as refused:
        if refused.status == 404:
            return []
        raise


async def applications(apis: Apis, token: str, round_id: str) -> list[dict[str, Any]]:
    found = await _listed(apis, token, f"/rounds/{round_id}/applications")
    return sorted(found, key=lambda a: str(a.get("organisation_name", "")).casefold())


async def allocation(apis: Apis, token: str, round_id: str) -> dict[str, Any] | None:
    """The round's allocation, or None while it has none to show."""
    try:
        found: dict[str, Any] = await apis.get(
            "booking", f"/rounds/{round_id}/allocation", token=token
        )
    except ApiRefused as refused:
        if refused.status in (404, 409):
            return None
        raise
    return found


async def waiting_list(apis: Apis, token: str, round_id: str) -> list[dict[str, Any]]:
    found = await _listed(apis, token, f"/rounds/{round_id}/waiting-list", "entries")
    return sorted(found, key=lambda e: int(e.get("position") or 0))


@dataclass(frozen=True)
class RoundPage:
    round: dict[str, Any]
    applications: list[dict[str, Any]]
    allocation: dict[str, Any] | None
    waiting: list[dict[str, Any]]


async def round_page(apis: Apis, token: str, round_id: str) -> RoundPage:
    found = await one_round(apis, token, round_id)
    state = found.get("state")
    sent = state == "results_sent"
    listed, allocated, waiting = await asyncio.gather(
        applications(apis, token, round_id),
        allocation(apis, token, round_id) if state not in ("upcoming", "open") else _none(),
        waiting_list(apis, token, round_id) if sent else _empty(),
    )
    return RoundPage(found, listed, allocated, waiting)


async def _none() -> None:
    return None


async def _empty() -> list[dict[str, Any]]:
    return []
