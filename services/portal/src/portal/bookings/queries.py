"""What the booking pages read: the person's clubs, the halls, a price, a series' dry run, free
times near a refused one, and a club's bookings and series."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from portal.apis import ApiRefused, Apis
from portal.domain.bookings import Stretch, nearest_free_times
from samspill.recurrence import OSLO, resolve_local

BOOKING_ROLES = frozenset({"administrator", "booker"})
PAGE_SIZE = 200
# Free times are looked for this far either side of the refused day.
NEAR_DAYS = 3
MAX_BOOKINGS = 1000
MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Club:
    organisation_id: str
    name: str
    role: str


@dataclass(frozen=True)
class Hall:
    space_id: str
    name: str
    site_id: str
    site_name: str
    approval_required: bool
    min_minutes: int
    max_minutes: int
    granularity_minutes: int
    cancellation_deadline_hours: int

    @property
    def label(self) -> str:
        return f"{self.site_name} – {self.name}"


async def bookable_clubs(apis: Apis, token: str) -> list[Club]:
    """The clubs the person may book for (administrator or booker), by name."""
    me = await apis.get("booking", "/me", token=token)
    clubs = [
        Club(str(m["organisation_id"]), str(m["organisation_name"]), str(m["role"]))
        for m in me.get("memberships", [])
        if m.get("role") in BOOKING_ROLES
    ]
    return sorted(clubs, key=lambda club: club.name.casefold())


async def _all(apis: Apis, path: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = await apis.get("facilities", path, params={"limit": PAGE_SIZE, "offset": len(found)})
        found.extend(page["items"])
        if not page["items"] or len(found) >= int(page["total"]):
            return found


def _hall(space: dict[str, Any], site: dict[str, Any] | None) -> Hall:
    rules = space.get("rules") or {}
    return Hall(
        space_id=str(space["space_id"]),
        name=str(space["name"]),
        site_id=str(space["site_id"]),
        site_name=str(site["name"]) if site else "",
        approval_required=bool(rules.get("approval_required")),
        min_minutes=int(rules.get("min_minutes", 60)),
        max_minutes=int(rules.get("max_minutes", 240)),
        granularity_minutes=int(rules.get("granularity_minutes", 30)),
        cancellation_deadline_hours=int(rules.get("cancellation_deadline_hours", 24)),
    )


async def halls(apis: Apis) -> list[Hall]:
    """Every hall clubs may book, by place and name."""
    sites = {str(site["site_id"]): site for site in await _all(apis, "/sites")}
    found = [
        _hall(space, sites.get(str(space["site_id"])))
        for space in await _all(apis, "/spaces")
        if not space.get("retired")
    ]
    return sorted(found, key=lambda hall: (hall.site_name.casefold(), hall.name.casefold()))


async def hall(apis: Apis, space_id: str) -> Hall | None:
    """One hall, or None when there is no such hall."""
    try:
        wanted = uuid.UUID(space_id)
    except ValueError:
        return None
    try:
        space = await apis.get("facilities", f"/spaces/{wanted}")
        site = await apis.get("facilities", f"/sites/{space['site_id']}")
    except ApiRefused as refused:
        if refused.status in (404, 422):
            return None
        raise
    return _hall(space, site)


async def price_quote(
    apis: Apis, space_id: uuid.UUID, start: datetime, end: datetime, audience: str
) -> dict[str, Any]:
    """The price of a one-off booking for a club as facilities' price rules give it."""
    quote: dict[str, Any] = await apis.get(
        "facilities",
        "/price-quote",
        params={
            "space_id": str(space_id),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "category": audience,
            # Every kind of club in the register is a voluntary organisation.
            "organisation_is_voluntary": "true",
            "participants_under_20": "true" if audience == "children_youth" else "false",
        },
    )
    return quote


async def series_preview(apis: Apis, token: str, series: dict[str, Any]) -> dict[str, Any]:
    """What the weekly series would book and skip now (nothing is stored)."""
    preview: dict[str, Any] = await apis.post(
        "booking", "/booking-series/preview", token=token, json=series
    )
    return preview


async def nearest_times(
    apis: Apis, space_id: uuid.UUID, refused: Stretch, *, limit: int = 4
) -> list[Stretch]:
    """Free times of the same length on the same hall, nearest the refused one first."""
    day = refused.start.astimezone(OSLO).date()
    period_start = resolve_local(day - timedelta(days=NEAR_DAYS), MIDNIGHT)
    period_end = resolve_local(day + timedelta(days=NEAR_DAYS + 1), MIDNIGHT)
    length = refused.end - refused.start
    answer = await apis.get(
        "booking",
        "/availability",
        params={
            "from": period_start.isoformat(),
            "to": period_end.isoformat(),
            "space_id": str(space_id),
            "min_minutes": int(length / timedelta(minutes=1)),
        },
    )
    free = [
        Stretch(datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"]))
        for space in answer
        for slot in space["slots"]
    ]
    return nearest_free_times(free, refused, limit=limit)


def local_fields(stretch: Stretch) -> dict[str, str]:
    """A free time as the form's date and time fields."""
    start, end = stretch.start.astimezone(OSLO), stretch.end.astimezone(OSLO)
    return {
        "dato": f"{start.day}.{start.month}.{start.year}",
        "fra": f"{start:%H:%M}",
        "til": f"{end:%H:%M}",
    }


async def club(apis: Apis, token: str, organisation_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get(
        "booking", f"/organisations/{organisation_id}", token=token
    )
    return found


async def club_bookings(apis: Apis, token: str, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await apis.get(
        "booking",
        "/bookings",
        token=token,
        params={"organisation_id": str(organisation_id), "limit": MAX_BOOKINGS},
    )
    return found


async def booking(apis: Apis, token: str, booking_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/bookings/{booking_id}", token=token)
    return found


async def series(apis: Apis, token: str, series_id: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", f"/booking-series/{series_id}", token=token)
    return found


async def teams(apis: Apis, token: str, organisation_id: str) -> list[dict[str, Any]]:
    """The club's teams by name, to hand a series to; none when the person may not see them."""
    try:
        found: list[dict[str, Any]] = await apis.get(
            "booking", f"/organisations/{organisation_id}/teams", token=token
        )
    except ApiRefused as refused:
        if refused.status in (403, 404):
            return []
        raise
    return sorted(found, key=lambda team: str(team.get("name", "")).casefold())
