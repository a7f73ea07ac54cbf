"""What the staff home shows, from booking's `/me` and facilities' sites."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from portal.apis import ApiRefused, Apis


@dataclass(frozen=True)
class StaffHome:
    is_admin: bool
    sites: list[dict[str, Any]] = field(default_factory=list)
    centres: list[dict[str, Any]] = field(default_factory=list)

    @property
    def staff(self) -> bool:
        return self.is_admin or bool(self.sites or self.centres)


async def staff_home(apis: Apis, token: str) -> StaffHome:
    me = await apis.get("booking", "/me", token=token)
    site_ids = [str(i) for i in me.get("managed_site_ids", [])]
    centre_ids = [str(i) for i in me.get("staffed_centre_ids", [])]
    found = await asyncio.gather(*(_site(apis, token, i) for i in [*site_ids, *centre_ids]))
    by_id = {str(site["site_id"]): site for site in found if site is not None}
    return StaffHome(
        is_admin=bool(me.get("is_admin")),
        sites=_by_name(by_id[i] for i in site_ids if i in by_id),
        centres=_by_name(by_id[i] for i in centre_ids if i in by_id),
    )


async def _site(apis: Apis, token: str, site_id: str) -> dict[str, Any] | None:
    try:
        site: dict[str, Any] = await apis.get("facilities", f"/sites/{site_id}", token=token)
    except ApiRefused:
        return None  # retired or gone since the grant
    return site


def _by_name(sites: Any) -> list[dict[str, Any]]:
    return sorted(sites, key=lambda site: str(site.get("name", "")))
