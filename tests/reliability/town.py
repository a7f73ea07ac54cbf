"""A small municipality built through the public APIs: schools with divisible halls released
every evening, clubs, and an equipment centre with scarce stock.

Everything goes through facilities and booking over HTTP, and booking learns the spaces,
windows and units from facilities' events, so `booking_knows` waits until its read model holds
them before any load starts.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from booking.domain import org_number_check_digit
from samspill.recurrence import OSLO
from tests.dates import today
from tests.reliability.stack import Stack, bearer, person_of
from tests.support import eventually

ADMIN = bearer("admin-reliability", admin=True)


def evening(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), OSLO)


def org_number(seed: int) -> str:
    """A valid organisasjonsnummer (mod-11) derived from `seed`."""
    for candidate in itertools.count(seed):
        first_eight = f"9{candidate % 10_000_000:07d}"
        check = org_number_check_digit(first_eight)
        if check is not None:
            return f"{first_eight}{check}"
    raise AssertionError("unreachable")


@dataclass
class Space:
    space_id: str
    name: str
    buffer_minutes: int
    conflicts_with: frozenset[str] = frozenset()

    @property
    def conflict_set(self) -> frozenset[str]:
        return self.conflicts_with | {self.space_id}


@dataclass
class Club:
    organisation_id: str
    name: str
    email: str
    member: str  # the token of the member who registered the club, so administers it


@dataclass
class ItemType:
    item_type_id: str
    name: str
    unit_ids: list[str]


@dataclass
class Town:
    site_id: str = ""
    manager: str = ""
    spaces: dict[str, Space] = field(default_factory=dict)
    clubs: list[Club] = field(default_factory=list)
    centre_id: str = ""
    item_types: dict[str, ItemType] = field(default_factory=dict)

    def space(self, space_id: str) -> Space:
        return self.spaces[space_id]


async def build_school(
    stack: Stack,
    town: Town,
    *,
    halls: Sequence[tuple[str, int, int]] = (),
    gyms: Sequence[str] = (),
    days: int = 150,
) -> None:
    """A school; each hall is (name, parts, buffer minutes); every space released 17–22."""
    site = await stack.call("POST", "facilities", "/sites", ADMIN, json=_site("Volla skole"))
    town.site_id = site["site_id"]
    town.manager = bearer("manager-reliability")
    await stack.call(
        "PUT",
        "facilities",
        f"/sites/{town.site_id}/managers/{person_of('manager-reliability')}",
        ADMIN,
    )
    created: list[str] = []
    for name, parts, buffer in halls:
        whole = await _space(stack, town, name, "gym", buffer)
        created.append(whole)
        for letter in "ABCDEFGH"[:parts]:
            created.append(
                await _space(stack, town, f"{name} {letter}", "hall_part", buffer, whole)
            )
    for name in gyms:
        created.append(await _space(stack, town, name, "gym", 0))
    for space_id in created:
        await stack.call(
            "POST",
            "facilities",
            f"/spaces/{space_id}/windows",
            town.manager,
            json={
                "weekdays": list(range(7)),
                "start_time": "17:00",
                "end_time": "22:00",
                "valid_from": today().isoformat(),
                "valid_to": (today() + timedelta(days=days)).isoformat(),
            },
        )
    for space_id in created:
        state = await stack.call("GET", "facilities", f"/spaces/{space_id}", town.manager)
        town.spaces[space_id].conflicts_with = frozenset(state["conflicts_with"])


def _site(name: str, kind: str = "school") -> dict[str, object]:
    return {
        "kind": kind,
        "name": name,
        "address": "Vollaveien 2, 2000 Lillestrøm",
        "district": "lillestrom",
        "contact": {"name": "Skolekontoret", "email": "post@volla.example"},
    }


async def _space(
    stack: Stack, town: Town, name: str, kind: str, buffer: int, parent: str | None = None
) -> str:
    body = {
        "site_id": town.site_id,
        "name": name,
        "kind": kind,
        "capacity": 60,
        "parent_id": parent,
        "rules": {"buffer_minutes": buffer, "horizon_days": 365, "who_may_book": "everyone"},
    }
    space = await stack.call("POST", "facilities", "/spaces", town.manager, json=body)
    town.spaces[space["space_id"]] = Space(space["space_id"], name, buffer)
    return str(space["space_id"])


async def register_clubs(stack: Stack, town: Town, count: int, seed: int = 0) -> None:
    for number in range(count):
        email = f"styret{number}@idrettslag{seed}.example"
        body = {
            "org_number": org_number(20_000 + seed * 1000 + number * 37),
            "name": f"Idrettslag {number}",
            "category": "sports",
            "contact": {"name": "Styret", "email": email},
        }
        member = bearer(f"member-{seed}-{number}")
        club = await stack.call("POST", "booking", "/organisations", member, json=body)
        town.clubs.append(Club(club["id"], body["name"], email, member))  # type: ignore[arg-type]


async def build_centre(stack: Stack, town: Town, stock: Mapping[str, int]) -> str:
    """An equipment centre holding `stock` (item type name → units in condition ok)."""
    site = await stack.call(
        "POST", "facilities", "/sites", ADMIN, json=_site("BUA Lillestrøm", "equipment_centre")
    )
    town.centre_id = site["site_id"]
    staff = bearer("staff-reliability")
    await stack.call(
        "PUT",
        "facilities",
        f"/centres/{town.centre_id}/staff/{person_of('staff-reliability')}",
        ADMIN,
    )
    for name, units in stock.items():
        item_type = await stack.call(
            "POST",
            "facilities",
            f"/centres/{town.centre_id}/item-types",
            staff,
            json={"name": name, "category": "vintersport", "max_loan_days": 14},
        )
        unit_ids = []
        for number in range(units):
            unit = await stack.call(
                "POST",
                "facilities",
                f"/item-types/{item_type['item_type_id']}/units",
                staff,
                json={"label": f"{name[:3].upper()}-{number + 1:02d}"},
            )
            unit_ids.append(unit["unit_id"])
        town.item_types[item_type["item_type_id"]] = ItemType(
            item_type["item_type_id"], name, unit_ids
        )
    return town.centre_id


async def booking_knows(stack: Stack, town: Town, timeout: float = 40) -> None:
    """Until booking's read model holds every space (with its conflict set), window and unit."""
    db = stack.db("booking")

    async def complete() -> bool:
        rows = await db.rows("SELECT space_id::text AS id, state FROM read_space")
        known: dict[str, dict[str, Any]] = {row["id"]: _state(row["state"]) for row in rows}
        for space in town.spaces.values():
            state = known.get(space.space_id)
            if state is None or frozenset(state["conflicts_with"] or ()) != space.conflicts_with:
                return False
        windows = await db.scalar("SELECT count(DISTINCT space_id) FROM read_window")
        units = sum(len(t.unit_ids) for t in town.item_types.values())
        held = await db.scalar("SELECT count(*) FROM lending_unit WHERE condition = 'ok'")
        known_site = await db.scalar(
            "SELECT count(*) FROM read_site WHERE site_id::text = ANY(:ids)",
            ids=[i for i in (town.site_id, town.centre_id) if i],
        )
        sites = len([i for i in (town.site_id, town.centre_id) if i])
        return bool(windows == len(town.spaces) and held == units and known_site == sites)

    await eventually(complete, timeout=timeout, interval=0.2)


def _state(value: Any) -> dict[str, Any]:
    return dict(json.loads(value) if isinstance(value, str) else value)
