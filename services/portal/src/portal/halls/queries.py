"""Reads for the hall pages: facilities' sites, spaces and prices, booking's availability.

All of them are public: no token is sent.
"""

from __future__ import annotations

import asyncio
import time as clock
import uuid
import weakref
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from portal.apis import Apis
from portal.domain.halls import GRID_DAYS, Hours
from samspill.districts import district_name
from samspill.intervals import Interval
from samspill.pricing import BookerCategory, PriceRule, SpaceKind
from samspill.recurrence import resolve_local

PAGE = 200


@dataclass(frozen=True)
class SearchOptions:
    districts: list[tuple[str, str]]  # (value, name), by name
    activities: list[str]


@dataclass(frozen=True)
class HallTimes:
    """A hall as availability answers for it, with its time as intervals."""

    space_id: str
    name: str
    kind: str
    capacity: int
    site_id: str
    site_name: str
    district: str
    approval_required: bool
    free: list[Interval]
    released: list[Interval]
    closed: list[Interval]

    @property
    def district_name(self) -> str:
        return district_name(self.district)


@dataclass(frozen=True)
class Hall:
    space: dict[str, Any]
    site: dict[str, Any]
    parts: list[dict[str, Any]]
    whole: dict[str, Any] | None
    rules: list[PriceRule]
    times: HallTimes | None


async def _all(apis: Apis, path: str, params: dict[str, Any] | None = None) -> list[Any]:
    items: list[Any] = []
    while True:
        page = await apis.get(
            "facilities", path, params={**(params or {}), "limit": PAGE, "offset": len(items)}
        )
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return items


# Every search lists the districts and activities: read from facilities at most this often.
_options: weakref.WeakKeyDictionary[Apis, tuple[float, SearchOptions]] = weakref.WeakKeyDictionary()


async def search_options(apis: Apis, max_age_s: float = 0.0) -> SearchOptions:
    """The districts that have halls, and every activity a hall is meant for; the answer of up
    to `max_age_s` ago when there is one (a new district shows within that time)."""
    kept = _options.get(apis)
    if kept is not None and clock.monotonic() - kept[0] < max_age_s:
        return kept[1]
    options = await _search_options(apis)
    _options[apis] = (clock.monotonic(), options)
    return options


async def _search_options(apis: Apis) -> SearchOptions:
    sites, spaces = await asyncio.gather(_all(apis, "/sites"), _all(apis, "/spaces"))
    with_spaces = {space["site_id"] for space in spaces}
    districts = {site["district"] for site in sites if site["site_id"] in with_spaces}
    activities = {activity for space in spaces for activity in space.get("activities", [])}
    return SearchOptions(
        districts=sorted(((d, district_name(d)) for d in districts), key=lambda d: d[1]),
        activities=sorted(activities, key=str.casefold),
    )


def _day_start(day: date) -> datetime:
    return resolve_local(day, time(0))


def _intervals(spans: list[dict[str, Any]]) -> list[Interval]:
    return [
        Interval(datetime.fromisoformat(span["start"]), datetime.fromisoformat(span["end"]))
        for span in spans
    ]


def _hall_times(row: dict[str, Any]) -> HallTimes:
    return HallTimes(
        space_id=str(row["space_id"]),
        name=row["space_name"],
        kind=row["space_kind"],
        capacity=row["capacity"],
        site_id=str(row["site_id"]),
        site_name=row["site_name"],
        district=row["district"],
        approval_required=row["approval_required"],
        free=_intervals(row["slots"]),
        released=_intervals(row.get("released", [])),
        closed=_intervals(row.get("closed", [])),
    )


async def week_availability(
    apis: Apis,
    first: date,
    *,
    space_id: str | None = None,
    district: str | None = None,
    activity: str | None = None,
    min_capacity: int | None = None,
    accessibility: list[str] | None = None,
) -> list[HallTimes]:
    """Every matching hall's free, released and closed time over the week from `first`."""
    params: dict[str, Any] = {
        "from": _day_start(first).isoformat(),
        "to": _day_start(first + timedelta(days=GRID_DAYS)).isoformat(),
    }
    optional = {
        "space_id": space_id,
        "district": district,
        "activity": activity,
        "min_capacity": min_capacity,
        "accessibility": accessibility or None,
    }
    params.update({key: value for key, value in optional.items() if value is not None})
    rows = await apis.get("booking", "/availability", params=params)
    return [_hall_times(row) for row in rows]


def has_free_time(hall: HallTimes, day: date, hours: Hours) -> bool:
    span = hours.on(day)
    return span is not None and any(slot.overlaps(span) for slot in hall.free)


def _price_rule(row: dict[str, Any]) -> PriceRule:
    return PriceRule(
        space_id=None if row.get("space_id") is None else str(row["space_id"]),
        space_kind=None if row.get("space_kind") is None else SpaceKind(row["space_kind"]),
        category=BookerCategory(row["category"]),
        hourly_rate_ore=row["hourly_rate_ore"],
        evening_rate_ore=row.get("evening_rate_ore"),
        weekend_rate_ore=row.get("weekend_rate_ore"),
        evening_from=time.fromisoformat(row.get("evening_from") or "17:00"),
    )


async def hall(apis: Apis, space_id: uuid.UUID, first: date) -> Hall:
    """A hall with its site, its parts (or the hall it is part of), the price rules and its
    week from `first`. An unknown hall is the API's 404."""
    space = await apis.get("facilities", f"/spaces/{space_id}")
    site, siblings, rules, times = await asyncio.gather(
        apis.get("facilities", f"/sites/{space['site_id']}"),
        _all(apis, "/spaces", {"site_id": space["site_id"]}),
        _all(apis, "/price-rules"),
        week_availability(apis, first, space_id=str(space_id)),
    )
    parts = [s for s in siblings if s.get("parent_id") == space["space_id"]]
    whole = next((s for s in siblings if s["space_id"] == space.get("parent_id")), None)
    return Hall(
        space=space,
        site=site,
        parts=sorted(parts, key=lambda s: s["name"]),
        whole=whole,
        rules=[_price_rule(row) for row in rules],
        times=times[0] if times else None,
    )
