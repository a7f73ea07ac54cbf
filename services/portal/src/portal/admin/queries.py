"""Reads for the admin pages: booking's `/me` (is the person an admin?) and facilities' sites,
spaces, price rules, price list and staff grants."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from portal.apis import Apis
from portal.domain.admin import SpaceNode, space_tree

PAGE = 200
CENTRE = "equipment_centre"


async def is_admin(apis: Apis, token: str) -> bool:
    me = await apis.get("booking", "/me", token=token)
    return bool(me.get("is_admin"))


async def _all(
    apis: Apis, path: str, token: str | None = None, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await apis.get(
            "facilities",
            path,
            token=token,
            params={**(params or {}), "limit": PAGE, "offset": len(items)},
        )
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return items


def grants_path(site: dict[str, Any]) -> str:
    """Managers of a site, staff of an equipment centre."""
    if site.get("kind") == CENTRE:
        return f"/centres/{site['site_id']}/staff"
    return f"/sites/{site['site_id']}/managers"


async def sites(apis: Apis) -> list[dict[str, Any]]:
    found = await _all(apis, "/sites")
    return sorted(found, key=lambda s: str(s["name"]).casefold())


async def site(apis: Apis, site_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("facilities", f"/sites/{site_id}")
    return found


async def spaces_of(apis: Apis, site_id: str, *, retired: bool = False) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"site_id": site_id, "include_retired": retired}
    return await _all(apis, "/spaces", params=params)


async def space(apis: Apis, space_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("facilities", f"/spaces/{space_id}")
    return found


@dataclass(frozen=True)
class SitePage:
    site: dict[str, Any]
    spaces: list[SpaceNode]
    grants: list[dict[str, Any]]


async def site_page(apis: Apis, token: str, site_id: str) -> SitePage:
    found = await site(apis, site_id)
    spaces, grants = await asyncio.gather(
        spaces_of(apis, site_id, retired=True), _all(apis, grants_path(found), token)
    )
    return SitePage(found, space_tree(spaces), grants)


def wholes(spaces: list[dict[str, Any]], space_id: str | None = None) -> dict[str, str]:
    """The site's spaces a space may be a part of (by id, with their names): not retired, not
    a part itself, and not the space itself."""
    return {
        str(s["space_id"]): str(s["name"])
        for s in sorted(spaces, key=lambda s: str(s["name"]).casefold())
        if not s.get("retired") and not s.get("parent_id") and str(s["space_id"]) != space_id
    }


async def price_rules(apis: Apis) -> list[dict[str, Any]]:
    return await _all(apis, "/price-rules")


async def price_rule(apis: Apis, rule_id: str) -> dict[str, Any] | None:
    return next((r for r in await price_rules(apis) if str(r["rule_id"]) == rule_id), None)


@dataclass(frozen=True)
class Scopes:
    """What a price rule can apply to: every space, a kind of space, or one space."""

    spaces: dict[str, str]  # space id -> "site – space"

    def label(self, rule: dict[str, Any], kinds: dict[str, str]) -> tuple[str, str | None]:
        """(what, kind msgid or None): the space's name, or a kind of space to translate."""
        if rule.get("space_id"):
            return self.spaces.get(str(rule["space_id"]), str(rule["space_id"])), None
        if rule.get("space_kind"):
            return "", kinds.get(str(rule["space_kind"]), str(rule["space_kind"]))
        return "", None


async def scopes(apis: Apis) -> Scopes:
    all_sites, all_spaces = await asyncio.gather(sites(apis), _all(apis, "/spaces"))
    names = {str(s["site_id"]): str(s["name"]) for s in all_sites}
    spaces = {
        str(s["space_id"]): f"{names.get(str(s['site_id']), '')} – {s['name']}" for s in all_spaces
    }
    return Scopes(dict(sorted(spaces.items(), key=lambda item: item[1].casefold())))


async def price_list(apis: Apis) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("facilities", "/price-list")
    return found


@dataclass(frozen=True)
class Grant:
    person_id: str
    kind: str
    object_id: str
    object_name: str
    granted_at: str


async def all_grants(apis: Apis, token: str) -> list[Grant]:
    grants, all_sites = await asyncio.gather(_all(apis, "/staff-grants", token), sites(apis))
    names = {str(s["site_id"]): str(s["name"]) for s in all_sites}
    return [
        Grant(
            person_id=str(g["person_id"]),
            kind=str(g["kind"]),
            object_id=str(g["object_id"]),
            object_name=names.get(str(g["object_id"]), str(g["object_id"])),
            granted_at=str(g["granted_at"]),
        )
        for g in grants
    ]
