"""End to end: what a closure message suggests instead is what booking accepts.

A club's gym evening is cancelled by a closure; the message lists the free time at the site
that evening. Every suggestion must be a slot booking's `/availability` shows and `POST
/bookings` takes, also where the space's rules (a one-hour grid, a half-hour buffer around
bookings, a short horizon) cut the released time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from samspill.recurrence import OSLO
from tests.dates import ordinary_day, today
from tests.e2e.stack import Stack, logs_shown_on_failure, register_school, stack, token
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

CLUB_EMAIL = "styret@skjetten-il.example.no"
SUGGESTION = re.compile(r"(\w+) (\d\d):(\d\d)\s*[–-]\s*(\d\d):(\d\d)")
LONGEST = timedelta(hours=2)  # the shortest max_minutes of the spaces below


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), OSLO)


async def test_e2e_every_suggested_slot_is_bookable(
    infra, isolated_kafka, database_factory, tmp_path
):
    async with (
        smtp_server(Mailbox()) as smtp_port,
        stack(
            infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="alternatives"
        ) as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s)


async def _scenario(s: Stack) -> None:
    admin = token("admin-1", admin=True)
    day = ordinary_day(10)
    manager, spaces = await _school(s, admin, day)
    member = token("member-1")  # registers the club, so administers it
    club = await s.call(
        "POST",
        "booking",
        "/organisations",
        member,
        json={
            "name": "Skjetten IL",
            "org_number": "974760673",
            "category": "sports",
            "contact": {"name": "Styret", "email": CLUB_EMAIL},
        },
    )

    def book(space: str, start: datetime, end: datetime) -> dict[str, Any]:
        return {
            "space_id": spaces[space],
            "organisation_id": club["id"],
            "activity": "fotball",
            "audience": "non_profit",
            "participants": 12,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }

    await eventually(
        lambda: _booked(s, member, book("Gymsal", at(day, 18), at(day, 20))), timeout=30
    )
    await eventually(
        lambda: _booked(s, member, book("Lillesalen", at(day, 18), at(day, 19))), timeout=30
    )
    await eventually(lambda: _messages(s, member, "booking_confirmed", count=2), timeout=30)

    await s.call(
        "POST",
        "facilities",
        "/closures",
        manager,
        json={
            "space_id": spaces["Gymsal"],
            "start": at(day, 17).isoformat(),
            "end": at(day, 22).isoformat(),
            "reason": "own_event",
            "note": "Foreldremøte",
        },
    )
    cancelled = await eventually(lambda: _messages(s, member, "booking_cancelled"), timeout=30)
    suggested = _suggestions(cancelled[0]["body"], day)
    # The buffer keeps 19:00–19:30 after the booking, the grid moves the start to 20:00; the
    # Aula evening lies beyond its horizon and the gym is closed.
    assert suggested == [("Lillesalen", at(day, 20), at(day, 22))], cancelled[0]["body"]

    for space, start, end in suggested:
        free = await _availability(s, member, spaces[space], day)
        assert any(slot_start <= start and end <= slot_end for slot_start, slot_end in free), (
            space,
            start,
            end,
            free,
        )
        body = book(space, start, min(end, start + LONGEST))
        response = await s.request("POST", "booking", "/bookings", member, json=body)
        assert response.status_code == 201, (space, start, response.text)


async def _school(s: Stack, admin: str, day: date) -> tuple[str, dict[str, str]]:
    site_id, manager = await register_school(s, admin)
    rules = {
        "Gymsal": {},
        "Lillesalen": {
            "min_minutes": 60,
            "max_minutes": 120,
            "granularity_minutes": 60,
            "buffer_minutes": 30,
        },
        "Aula": {"horizon_days": 3},
    }
    spaces: dict[str, str] = {}
    for name, space_rules in rules.items():
        space = await s.call(
            "POST",
            "facilities",
            "/spaces",
            manager,
            json={
                "site_id": site_id,
                "name": name,
                "kind": "gym" if name == "Gymsal" else "auditorium",
                "capacity": 60,
                "rules": space_rules,
            },
        )
        spaces[name] = str(space["space_id"])
        await s.call(
            "POST",
            "facilities",
            f"/spaces/{spaces[name]}/windows",
            manager,
            json={
                "weekdays": [0, 1, 2, 3, 4, 5, 6],
                "start_time": "17:00",
                "end_time": "22:00",
                "valid_from": today().isoformat(),
                "valid_to": (day + timedelta(weeks=2)).isoformat(),
            },
        )
    return manager, spaces


async def _booked(s: Stack, member: str, body: dict[str, Any]) -> dict[str, Any] | None:
    response = await s.request("POST", "booking", "/bookings", member, json=body)
    return dict(response.json()) if response.status_code == 201 else None


async def _messages(
    s: Stack, member: str, kind: str, count: int = 1
) -> list[dict[str, Any]] | None:
    messages = await s.call("GET", "notifications", "/messages", member)
    found = [m for m in messages if m["kind"] == kind]
    return found if len(found) >= count else None


def _suggestions(body: str, day: date) -> list[tuple[str, datetime, datetime]]:
    line = next((ln for ln in body.splitlines() if "Ledige tider samme kveld" in ln), "")
    return [
        (name, at(day, int(h1), int(m1)), at(day, int(h2), int(m2)))
        for name, h1, m1, h2, m2 in SUGGESTION.findall(line.split(":", 1)[-1])
    ]


async def _availability(
    s: Stack, member: str, space_id: str, day: date
) -> list[tuple[datetime, datetime]]:
    params = {
        "from": at(day, 0).isoformat(),
        "to": at(day + timedelta(days=1), 0).isoformat(),
        "space_id": space_id,
    }
    found = await s.call("GET", "booking", "/availability", member, params=params)
    return [
        (datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"]))
        for item in found
        for slot in item["slots"]
    ]
