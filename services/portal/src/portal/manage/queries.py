"""What the manager's pages read: whether the person manages a site, the site with its spaces,
release windows and their dates, closures, and the site's bookings (booking shows a manager
every booking of their sites)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from portal.apis import ApiRefused, Apis
from portal.domain.manage import Held
from samspill.intervals import Interval
from samspill.recurrence import OSLO, resolve_local

PAGE_SIZE = 200
MAX_BOOKINGS = 1000
NOT_YOURS = {
    "detail": "You do not manage this site. A municipal administrator gives managers their sites.",
    "detail_nb": "Du forvalter ikke dette stedet. En kommunal administrator gir forvaltere "
    "stedene deres.",
}


async def ensure_manager(apis: Apis, token: str, site_id: uuid.UUID) -> None:
    """Refuse (403) a person who neither manages the site nor is an admin."""
    me = await apis.get("booking", "/me", token=token)
    managed = {str(i) for i in me.get("managed_site_ids", [])}
    if not me.get("is_admin") and str(site_id) not in managed:
        raise ApiRefused(403, NOT_YOURS)


async def _all(apis: Apis, path: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        query = {**params, "limit": PAGE_SIZE, "offset": len(found)}
        page = await apis.get("facilities", path, params=query)
        found.extend(page["items"])
        if not page["items"] or len(found) >= int(page["total"]):
            return found


async def site(apis: Apis, site_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("facilities", f"/sites/{site_id}")
    return found


async def space(apis: Apis, space_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("facilities", f"/spaces/{space_id}")
    return found


async def spaces(apis: Apis, site_id: uuid.UUID) -> list[dict[str, Any]]:
    """The site's spaces in use, wholes before their parts, by name."""
    found = [s for s in await _all(apis, "/spaces", site_id=str(site_id)) if not s.get("retired")]
    return sorted(found, key=lambda s: str(s["name"]).casefold())


async def windows(apis: Apis, space_id: uuid.UUID) -> list[dict[str, Any]]:
    found = await _all(apis, f"/spaces/{space_id}/windows")
    return sorted(found, key=lambda w: (str(w["valid_from"]), str(w["start_time"])))


async def window_dates(
    apis: Apis, space_id: uuid.UUID, window: dict[str, Any], first: date
) -> list[date]:
    """The dates the window is still open on, from `first` on."""
    last = date.fromisoformat(str(window["valid_to"]))
    if last < first:
        return []
    spans = await apis.get(
        "facilities",
        f"/spaces/{space_id}/windows/{window['window_id']}/occurrences",
        params={
            "from": max(first, date.fromisoformat(str(window["valid_from"]))).isoformat(),
            "to": last.isoformat(),
        },
    )
    return sorted({_local_date(span["start"]) for span in spans})


def _local_date(value: str) -> date:
    return datetime.fromisoformat(value).astimezone(OSLO).date()


async def closures(
    apis: Apis, site_id: uuid.UUID, start: datetime, end: datetime | None = None
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"site_id": str(site_id), "from": start.isoformat()}
    if end is not None:
        params["to"] = end.isoformat()
    found = await _all(apis, "/closures", **params)
    return sorted(found, key=lambda c: str(c["start"]))


async def site_bookings(
    apis: Apis,
    token: str,
    site_id: uuid.UUID,
    start: datetime,
    end: datetime | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"site_id": str(site_id), "from": start.isoformat()}
    params["limit"] = MAX_BOOKINGS
    if end is not None:
        params["to"] = end.isoformat()
    if status is not None:
        params["status"] = status
    found: list[dict[str, Any]] = await apis.get("booking", "/bookings", token=token, params=params)
    return found


async def booking(apis: Apis, token: str, booking_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/bookings/{booking_id}", token=token)
    return found


@dataclass(frozen=True)
class SpaceWeek:
    released: list[Interval]
    closed: list[Interval]
    held: list[Held]


async def space_week(
    apis: Apis, token: str, space: dict[str, Any], first: date, days: int
) -> SpaceWeek:
    """What the grid of one space shows for `days` days from `first`: its released time, the
    closures that reach it, and the bookings that hold it (its own, its parts' and wholes')."""
    space_id = uuid.UUID(str(space["space_id"]))
    site_id = uuid.UUID(str(space["site_id"]))
    last = first + timedelta(days=days - 1)
    start = resolve_local(first, time(0))
    end = resolve_local(last + timedelta(days=1), time(0))
    reaching = {str(space_id), *(str(i) for i in space.get("conflicts_with", []))}
    found_windows, found_closures, found_bookings = await asyncio.gather(
        windows(apis, space_id),
        closures(apis, site_id, start, end),
        site_bookings(apis, token, site_id, start, end),
    )
    spans = await asyncio.gather(
        *(
            apis.get(
                "facilities",
                f"/spaces/{space_id}/windows/{w['window_id']}/occurrences",
                params={"from": first.isoformat(), "to": last.isoformat()},
            )
            for w in found_windows
        )
    )
    released = [_interval(s) for found in spans for s in found]
    closed = [
        _interval(c)
        for c in found_closures
        if c.get("space_id") is None or str(c["space_id"]) in reaching
    ]
    held = [
        Held(_interval(b), str(b["organisation_name"]), b["status"] == "requested")
        for b in found_bookings
        if b["status"] in ("requested", "confirmed") and str(b["space_id"]) in reaching
    ]
    return SpaceWeek(released, closed, held)


def _interval(item: dict[str, Any]) -> Interval:
    return Interval(datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]))
