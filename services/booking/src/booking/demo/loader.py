"""Makes the demo's seasonal application round through the HTTP API, idempotently: the round
is looked up by name before it is created.

The round covers the school halls of the facilities demo (`samspill-facilities seed-demo`),
whole halls and their parts. Booking learns of them from facilities' events, so the loader
first waits until its catalogue knows them all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, time, timedelta
from typing import Any

import httpx

from samspill.recurrence import resolve_local

Sleep = Callable[[float], Awaitable[None]]

THIRDS = ("tredjedel A", "tredjedel B", "tredjedel C")
HALVES = ("halvdel nord", "halvdel sør")
# The facilities demo's school halls: (site, hall, the hall's parts). A part is named
# "<hall>, <part>" there.
DEMO_HALLS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Kjeller skole", "Gymsal", ()),
    ("Skedsmokorset skole", "Flerbrukshall", THIRDS),
    ("Strømmen skole", "Gymsal", ()),
    ("Sagdalen skole", "Idrettshall", HALVES),
    ("Volla skole", "Gymsal", ()),
    ("Vigernes skole", "Gymsal", ()),
    ("Fetsund ungdomsskole", "Fetsundhallen", THIRDS),
    ("Sørumsand skole", "Gymsal", ()),
    ("Frogner skole", "Gymsal", ()),
    ("Blaker skole", "Gymsal", ()),
    ("Lindeberg skole", "Gymsal", ()),
)

APPLICATION_DAYS = 14
ALLOCATION_DAYS = 21
RESULTS_DAYS = 28
SEASON_LEAD_DAYS = 35
SEASON_WEEKS = 30
# Facilities' default booking horizon, which the demo's halls keep: the season's evenings must
# be bookable when the allocation is published, which staff may do at once.
HORIZON_DAYS = 180
# A sports season runs from the summer: one whose middle falls from July on is "<year>/<year+1>".
SEASON_YEAR_STARTS = 7


class SeedError(RuntimeError):
    """The API refused a demo request, or the catalogue never got the demo's halls."""


@dataclass(frozen=True)
class RoundDates:
    applications_open: date
    applications_close: date
    allocation_until: date
    results_date: date
    season_first_date: date
    season_last_date: date

    def body(self) -> dict[str, str]:
        return {name: day.isoformat() for name, day in asdict(self).items()}


def round_dates(today: date) -> RoundDates:
    """Applications open today for two weeks; allocation until +21, results +28. The season runs
    whole weeks from the first Monday at least 35 days ahead: 30 of them, or as many as end
    inside the booking horizon."""
    lead = today + timedelta(days=SEASON_LEAD_DAYS)
    first = lead + timedelta(days=-lead.weekday() % 7)
    horizon_end = today + timedelta(days=HORIZON_DAYS)
    weeks = min(SEASON_WEEKS, (horizon_end - first).days // 7)
    return RoundDates(
        applications_open=today,
        applications_close=today + timedelta(days=APPLICATION_DAYS),
        allocation_until=today + timedelta(days=ALLOCATION_DAYS),
        results_date=today + timedelta(days=RESULTS_DAYS),
        season_first_date=first,
        season_last_date=first + timedelta(weeks=weeks, days=-1),
    )


def season_name(dates: RoundDates) -> str:
    """The round's name, "Sesongen 2026/2027": the sports season (from July on) that holds the
    season's middle day."""
    first, last = dates.season_first_date, dates.season_last_date
    middle = first + (last - first) / 2
    year = middle.year if middle.month >= SEASON_YEAR_STARTS else middle.year - 1
    return f"Sesongen {year}/{year + 1}"


def demo_hall_names() -> set[tuple[str, str]]:
    """(site, space) of every demo hall and hall part."""
    return {
        (site, name)
        for site, hall, parts in DEMO_HALLS
        for name in (hall, *(f"{hall}, {part}" for part in parts))
    }


@dataclass(frozen=True)
class RoundSeed:
    name: str
    created: bool
    halls: int
    applications_close: str

    def line(self) -> str:
        if not self.created:
            return (
                f"Søknadsrunden «{self.name}» fantes fra før / "
                f"the application round {self.name!r} was already there"
            )
        return (
            f"Søknadsrunden «{self.name}» er åpen til {self.applications_close} over "
            f"{self.halls} haller / the application round {self.name!r} is open until "
            f"{self.applications_close} over {self.halls} halls"
        )


async def seed_demo_round(
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    today: date,
    *,
    sleep: Sleep = asyncio.sleep,
    wait_s: float = 60.0,
    poll_s: float = 1.0,
) -> RoundSeed:
    """Open the demo's round for this season unless a round of its name exists; `headers`
    carry an admin token. Waits (through `sleep`, at most about `wait_s`) for the catalogue to
    know every demo hall."""
    dates = round_dates(today)
    name = season_name(dates)
    rounds: list[dict[str, Any]] = await _send(client, "GET", "/rounds", headers=headers)
    existing = next((r for r in rounds if r["name"] == name), None)
    if existing is not None:
        return RoundSeed(name, False, len(existing["spaces"]), existing["applications_close"])
    attempts = max(1, round(wait_s / poll_s))
    space_ids = await _wait_for_halls(client, headers, today, sleep, attempts, poll_s)
    body = {"name": name, **dates.body(), "space_ids": space_ids}
    created = await _send(client, "POST", "/rounds", headers=headers, json=body)
    return RoundSeed(name, True, len(created["spaces"]), created["applications_close"])


async def _wait_for_halls(
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    today: date,
    sleep: Sleep,
    attempts: int,
    poll_s: float,
) -> list[str]:
    wanted = demo_hall_names()
    found: dict[tuple[str, str], str] = {}
    for attempt in range(attempts):
        if attempt:
            await sleep(poll_s)
        found = await _school_spaces(client, headers, today)
        if wanted <= found.keys():
            return sorted(found[key] for key in wanted)
    missing = ", ".join(f"{site} – {space}" for site, space in sorted(wanted - found.keys()))
    raise SeedError(f"the catalogue does not know these demo halls: {missing}")


async def _school_spaces(
    client: httpx.AsyncClient, headers: Mapping[str, str], today: date
) -> dict[tuple[str, str], str]:
    """(site, space) → space id of every school space the catalogue knows."""
    start = resolve_local(today, time(0, 0))
    params = {
        "site_kind": "school",
        "from": start.isoformat(),
        "to": (start + timedelta(days=1)).isoformat(),
    }
    spaces = await _send(client, "GET", "/availability", headers=headers, params=params)
    return {(s["site_name"], s["space_name"]): s["space_id"] for s in spaces}


async def _send(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await client.request(method, path, **kwargs)
    if response.status_code >= 400:
        raise SeedError(f"{method} {path} → {response.status_code}: {response.text}")
    return response.json()
