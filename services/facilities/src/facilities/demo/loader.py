"""Loads the demo data through the HTTP API, idempotently: everything is looked up by name
(or by its content, for windows, closures and prices) before it is created."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import structlog

from facilities.demo.data import (
    CATALOGUE,
    PRICE_RULES,
    SITES,
    STAFF,
    DemoSite,
    DemoSpace,
    Term,
    school_holidays,
    terms,
)
from samspill.recurrence import resolve_local
from samspill.tokens import person_id

log = structlog.get_logger("facilities.demo")

PAGE = 200
# A seed makes a few hundred requests; a second one within the rate limiter's window (a quick
# restart of `make dev`) is told to wait, and does, this many times at most.
RATE_LIMITED_WAITS = 5
Sleep = Callable[[float], Awaitable[None]]
WEEKDAY_EVENINGS = {"weekdays": [0, 1, 2, 3, 4], "start_time": "17:00", "end_time": "22:00"}
WEEKENDS = {"weekdays": [5, 6], "start_time": "09:00", "end_time": "20:00"}


class SeedError(RuntimeError):
    """The API refused a demo request."""


@dataclass
class SeedSummary:
    sites: int = 0
    spaces: int = 0
    windows: int = 0
    closures: int = 0
    price_rules: int = 0
    item_types: int = 0
    units: int = 0
    staff_grants: int = 0

    def line(self) -> str:
        nb = (
            f"{self.sites} steder, {self.spaces} lokaler, {self.windows} utlånsvinduer, "
            f"{self.closures} stengninger, {self.price_rules} prisregler, "
            f"{self.item_types} utstyrstyper, {self.units} utstyrsenheter, "
            f"{self.staff_grants} tilganger for demopersoner"
        )
        en = (
            f"{self.sites} sites, {self.spaces} spaces, {self.windows} release windows, "
            f"{self.closures} closures, {self.price_rules} price rules, "
            f"{self.item_types} item types, {self.units} units, "
            f"{self.staff_grants} staff grants for demo people"
        )
        return (
            f"Demodata for Lillestrøm lastet (nye): {nb} / Lillestrøm demo data loaded (new): {en}"
        )

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


class _Api:
    def __init__(self, client: httpx.AsyncClient, headers: Mapping[str, str], sleep: Sleep) -> None:
        self._client = client
        self._headers = dict(headers)
        self._sleep = sleep

    async def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = await self._get(path, params={**params, "limit": PAGE, "offset": len(items)})
            items.extend(page["items"])
            if len(items) >= page["total"] or not page["items"]:
                return items

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = (await self._send("POST", path, json=body)).json()
        return result

    async def put(self, path: str) -> bool:
        """PUT an idempotent grant; whether it was new (201) rather than already held (200)."""
        return (await self._send("PUT", path)).status_code == 201

    async def _get(self, path: str, **kwargs: Any) -> Any:
        return (await self._send("GET", path, **kwargs)).json()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self._client.request(method, path, headers=self._headers, **kwargs)
        for _ in range(RATE_LIMITED_WAITS):
            if response.status_code != 429:
                break
            wait = _retry_after(response)
            log.warning("seed.rate_limited", path=path, wait_s=wait)
            await self._sleep(wait)
            response = await self._client.request(method, path, headers=self._headers, **kwargs)
        if response.status_code >= 400:
            raise SeedError(f"{method} {path} → {response.status_code}: {response.text}")
        return response


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "1")), 0.0), 120.0)
    except ValueError:
        return 1.0


async def seed_demo(
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    today: date,
    *,
    issuer: str,
    sleep: Sleep = asyncio.sleep,
) -> SeedSummary:
    """Load the Lillestrøm demo data; `headers` carry an admin token. The demo people of
    `issuer` (the identity provider they log in with) are made staff of their sites.

    A 429 is waited out as its `Retry-After` says (through `sleep`), then the request is sent
    again.
    """
    api = _Api(client, headers, sleep)
    summary = SeedSummary()
    existing = {site["name"]: site for site in await api.all("/sites")}
    for demo in SITES:
        site = existing.get(demo.name) or await _create(
            api, "/sites", demo.body(), summary, "sites"
        )
        existing[demo.name] = site
        await _seed_site(api, demo, site, today, summary)
        if demo.kind == "equipment_centre":
            await _seed_catalogue(api, site["site_id"], summary)
    await _seed_prices(api, summary)
    await _seed_staff(api, issuer, existing, summary)
    return summary


async def _seed_staff(
    api: _Api, issuer: str, sites: Mapping[str, dict[str, Any]], summary: SeedSummary
) -> None:
    for subject, kind, site_name in STAFF:
        collection = "sites/{}/managers" if kind == "site" else "centres/{}/staff"
        path = "/" + collection.format(sites[site_name]["site_id"])
        if await api.put(f"{path}/{person_id(issuer, subject)}"):
            summary.staff_grants += 1


async def _create(
    api: _Api, path: str, body: dict[str, Any], summary: SeedSummary, counter: str
) -> dict[str, Any]:
    created = await api.post(path, body)
    setattr(summary, counter, getattr(summary, counter) + 1)
    return created


async def _seed_site(
    api: _Api, demo: DemoSite, site: dict[str, Any], today: date, summary: SeedSummary
) -> None:
    site_id = site["site_id"]
    spaces = {s["name"]: s for s in await api.all("/spaces", site_id=site_id)}
    for demo_space in demo.spaces:
        whole = await _space(api, spaces, demo_space.body(site_id), summary)
        await _seed_windows(api, whole["space_id"], demo, today, summary)
        for part in demo_space.parts:
            part_space = _part(demo_space, part)
            body = part_space.body(site_id, parent_id=whole["space_id"])
            created = await _space(api, spaces, body, summary)
            await _seed_windows(api, created["space_id"], demo, today, summary)
    if demo.kind == "school":
        await _seed_holidays(api, site_id, today, summary)


def _part(whole: DemoSpace, part: str) -> DemoSpace:
    share = whole.capacity // len(whole.parts)
    return DemoSpace(
        f"{whole.name}, {part}", "hall_part", share, None, whole.features, whole.activities
    )


async def _space(
    api: _Api, spaces: dict[str, dict[str, Any]], body: dict[str, Any], summary: SeedSummary
) -> dict[str, Any]:
    if body["name"] in spaces:
        return spaces[body["name"]]
    created = await _create(api, "/spaces", body, summary, "spaces")
    spaces[body["name"]] = created
    return created


async def _seed_windows(
    api: _Api, space_id: str, demo: DemoSite, today: date, summary: SeedSummary
) -> None:
    if demo.kind == "equipment_centre":
        return
    existing = {_window_key(w) for w in await api.all(f"/spaces/{space_id}/windows")}
    for body in window_bodies(today):
        if _window_key(body) not in existing:
            await _create(api, f"/spaces/{space_id}/windows", body, summary, "windows")


def window_bodies(today: date) -> list[dict[str, Any]]:
    """A demo space's weekly windows from `today` on: weekday evenings and weekends of this
    term and the next, without a pattern none of whose weekdays is left in the term (its last
    days may hold no weekend, and the API refuses such a window)."""
    return [
        {
            "kind": "weekly",
            **pattern,
            "valid_from": term.first.isoformat(),
            "valid_to": term.last.isoformat(),
        }
        for term in terms(today)
        for pattern in (WEEKDAY_EVENINGS, WEEKENDS)
        if _falls_in(pattern["weekdays"], term)
    ]


def _falls_in(weekdays: Collection[object], term: Term) -> bool:
    days = min((term.last - term.first).days + 1, 7)
    return any((term.first + timedelta(days=n)).weekday() in weekdays for n in range(days))


def _window_key(window: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        tuple(window["weekdays"]),
        str(window["start_time"])[:5],
        str(window["end_time"])[:5],
        str(window["valid_to"]),
    )


async def _seed_holidays(api: _Api, site_id: str, today: date, summary: SeedSummary) -> None:
    for nb, en, first, last in school_holidays(today):
        start = resolve_local(first, time(0, 0))
        end = resolve_local(date.fromordinal(last.toordinal() + 1), time(0, 0))
        closures = await api.all(
            "/closures", site_id=site_id, **{"from": start.isoformat(), "to": end.isoformat()}
        )
        if any(_same_instant(c["start"], start) and c["reason"] == "holiday" for c in closures):
            continue
        body = {
            "site_id": site_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "reason": "holiday",
            "note": f"{nb} / {en}",
        }
        await _create(api, "/closures", body, summary, "closures")


def _same_instant(text: str, instant: datetime) -> bool:
    return datetime.fromisoformat(text) == instant


async def _seed_catalogue(api: _Api, centre_id: str, summary: SeedSummary) -> None:
    path = f"/centres/{centre_id}/item-types"
    existing = {(t["name"], t["variant"]): t for t in await api.all(path)}
    for name, category, variants, (age_min, age_max), loan_days, units in CATALOGUE:
        for variant in variants:
            body = {
                "name": name,
                "category": category,
                "variant": variant,
                "age_min": age_min,
                "age_max": age_max,
                "max_loan_days": loan_days,
                "image_url": None,
            }
            item_type = existing.get((name, variant)) or await _create(
                api, path, body, summary, "item_types"
            )
            await _seed_units(api, item_type, units, summary)


async def _seed_units(
    api: _Api, item_type: dict[str, Any], count: int, summary: SeedSummary
) -> None:
    path = f"/item-types/{item_type['item_type_id']}/units"
    labels = {u["label"] for u in await api.all(path)}
    prefix = "".join(
        ch for ch in f"{item_type['name'][:3]}-{item_type['variant']}" if ch.isalnum() or ch == "-"
    )
    for number in range(1, count + 1):
        label = f"{prefix.upper()}-{number:02d}"
        if label not in labels:
            await _create(api, path, {"label": label}, summary, "units")


async def _seed_prices(api: _Api, summary: SeedSummary) -> None:
    existing = {
        (r["space_kind"], r["category"])
        for r in await api.all("/price-rules")
        if r["space_id"] is None
    }
    for kind, category, hourly, evening, weekend in PRICE_RULES:
        if (kind, category) in existing:
            continue
        body = {
            "space_kind": kind,
            "category": category,
            "hourly_rate_ore": hourly,
            "evening_rate_ore": evening,
            "weekend_rate_ore": weekend,
        }
        await _create(api, "/price-rules", body, summary, "price_rules")
