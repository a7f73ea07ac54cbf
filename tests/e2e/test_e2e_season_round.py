"""End to end: a seasonal application round, from the clubs' applications to the waiting list.

Three clubs apply with eight sections for two halls of Skjetten skole — a gym divisible into
two halves, and a multi-purpose hall. The municipality closes the round, runs the allocation,
accepts and publishes it. Then: every hard rule holds, the youth section beats the adult one
for the contested Tuesday evening in the multi-purpose hall, each allocated time became a
weekly series, each club got exactly one message with its result (and no per-series
confirmation), and when the youth section's series is cancelled the adult section, first on
the waiting list, is offered the time.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.dates import today
from tests.e2e.stack import (
    Stack,
    evening,
    logs_shown_on_failure,
    register_school,
    stack,
    token,
)
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

WEEKDAYS = [0, 1, 2, 3, 4]
TUESDAY = 1
CLUBS = {
    # sub, name, organisation number, district (a local club has one), contact email
    "skjetten": ("club-1", "Skjetten IL", "974760673", "skedsmo", "styret@skjetten-il.example.no"),
    "kjeller": ("club-2", "Kjeller Basket", "971524960", "skedsmo", "post@kjeller-basket.example"),
    "strommen": ("club-3", "Strømmen Volley", "983975240", None, "post@strommen-volley.example"),
}


def weekly(weekday: int, start: str, end: str) -> dict[str, Any]:
    return {"weekday": weekday, "start": start, "end": end}


async def test_e2e_a_round_from_applications_to_the_waiting_list(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with (
        smtp_server(mailbox) as smtp_port,
        stack(infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="round") as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s, mailbox)


async def _scenario(s: Stack, mailbox: Mailbox) -> None:
    admin = token("admin-1", admin=True)
    first_day = today()
    season = (first_day + timedelta(days=28), first_day + timedelta(days=28 + 7 * 10))
    halls = await _halls(s, admin, season)
    clubs = {key: await _club(s, *club) for key, club in CLUBS.items()}
    round_ = await _round(s, admin, first_day, season, halls)

    sections = _sections(halls)
    for key, club in clubs.items():
        await s.call(
            "PUT",
            "booking",
            f"/rounds/{round_['id']}/applications/{club['id']}",
            token(CLUBS[key][0]),
            json={"sections": sections[key]},
        )
    # Applying directly for the season's evenings is refused while the round runs.
    refused = await s.request(
        "POST",
        "booking",
        "/booking-series",
        token("club-1"),
        json=_series_body(halls["hall"], clubs["skjetten"]["id"], season),
    )
    assert refused.status_code == 409, refused.text

    base = f"/rounds/{round_['id']}"
    await s.call("POST", "booking", f"{base}/close", admin)
    allocation = await s.call(
        "POST", "booking", f"{base}/allocation/run", admin, json={"method": "cp_sat"}
    )
    _check_hard_rules(allocation, sections, halls)
    _check_contested_slot(allocation, halls)
    await s.call("POST", "booking", f"{base}/allocation/accept", admin)
    await s.call("POST", "booking", f"{base}/publish", admin)

    published = await s.call("GET", "booking", f"{base}/allocation", admin)
    assert published["times"]
    assert all(time["series_id"] for time in published["times"])
    await _check_one_message_per_applicant(mailbox)
    await _check_waiting_list_gets_the_freed_time(s, base, clubs, published, mailbox)


# --- the world ------------------------------------------------------------------------------


async def _halls(s: Stack, admin: str, season: tuple[date, date]) -> dict[str, str]:
    """The gym with its two halves and the multi-purpose hall, released Monday to Friday."""
    site_id, manager = await register_school(s, admin)

    async def space(name: str, kind: str, capacity: int, parent: str | None = None) -> str:
        body: dict[str, Any] = {
            "site_id": site_id,
            "name": name,
            "kind": kind,
            "capacity": capacity,
            "rules": {"horizon_days": 365},
        }
        if parent:
            body["parent_id"] = parent
        created = await s.call("POST", "facilities", "/spaces", manager, json=body)
        await s.call(
            "POST",
            "facilities",
            f"/spaces/{created['space_id']}/windows",
            manager,
            json={
                "weekdays": WEEKDAYS,
                "start_time": "17:00",
                "end_time": "22:00",
                "valid_from": season[0].isoformat(),
                "valid_to": season[1].isoformat(),
            },
        )
        return str(created["space_id"])

    gym = await space("Gymsal", "gym", 60)
    halls = {
        "gym": gym,
        "gym_a": await space("Gymsal del A", "hall_part", 30, parent=gym),
        "gym_b": await space("Gymsal del B", "hall_part", 30, parent=gym),
        "hall": await space("Flerbrukshall", "gym", 80),
    }

    # The whole week of the season's start, where every space has released evenings.
    week = {
        "from": evening(season[0], 0),
        "to": evening(season[0] + timedelta(days=7), 0),
        "site_id": site_id,
    }

    async def known_to_booking() -> bool:
        found = await s.request("GET", "booking", "/availability", admin, params=week)
        spaces = found.json() if found.status_code == 200 else []
        return {space["space_id"] for space in spaces if space["released"]} == set(halls.values())

    await eventually(known_to_booking, timeout=30)
    return halls


async def _club(
    s: Stack, sub: str, name: str, org_number: str, district: str | None, email: str
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "org_number": org_number,
        "category": "sports",
        "contact": {"name": "Styret", "email": email},
    }
    if district:
        body["district"] = district
    return dict(await s.call("POST", "booking", "/organisations", token(sub), json=body))


async def _round(
    s: Stack, admin: str, first_day: date, season: tuple[date, date], halls: dict[str, str]
) -> dict[str, Any]:
    body = {
        "name": "Sesongen i Skjetten",
        "applications_open": first_day.isoformat(),
        "applications_close": (first_day + timedelta(days=7)).isoformat(),
        "allocation_until": (first_day + timedelta(days=14)).isoformat(),
        "results_date": (first_day + timedelta(days=21)).isoformat(),
        "season_first_date": season[0].isoformat(),
        "season_last_date": season[1].isoformat(),
        "space_ids": list(halls.values()),
        "weekdays": WEEKDAYS,
        "evening_start": "17:00",
        "evening_end": "22:00",
    }

    async def created() -> dict[str, Any] | None:  # the spaces may still be travelling
        response = await s.request("POST", "booking", "/rounds", admin, json=body)
        return dict(response.json()) if response.status_code == 201 else None

    round_ = await eventually(created, timeout=30)
    assert round_["state"] == "open"
    return round_


def _section(
    name: str,
    age_group: str,
    halls: list[str],
    preferred: list[dict[str, Any]],
    *,
    times: int = 1,
    minutes: tuple[int, int] = (90, 90),
    size: int = 20,
    acceptable: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "activity": name.split()[-1],
        "age_group": age_group,
        "group_size": size,
        "times_per_week": times,
        "min_minutes": minutes[0],
        "max_minutes": minutes[1],
        "halls": halls,
        "preferred": preferred,
        "acceptable": acceptable or [],
    }


def _sections(halls: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Eight sections; the Tuesday 18–20 evening in the hall is wanted by exactly two: an
    adult team of the local club (its first ranked section) and a youth team of a club from
    elsewhere, neither accepting anything else."""
    contested = [weekly(TUESDAY, "18:00", "20:00")]
    evenings = [weekly(day, "17:00", "22:00") for day in WEEKDAYS]
    return {
        "skjetten": [
            _section("Senior håndball", "adults", [halls["hall"]], contested, minutes=(120, 120)),
            _section(
                "G12 håndball",
                "children",
                [halls["gym_a"], halls["gym"]],
                [weekly(0, "17:00", "19:00"), weekly(2, "17:00", "19:00")],
                times=2,
                acceptable=evenings,
            ),
            _section(
                "Old boys fotball",
                "adults",
                [halls["gym"]],
                [weekly(3, "20:00", "22:00")],
                minutes=(60, 120),
                size=40,
                acceptable=evenings,
            ),
        ],
        "kjeller": [
            _section(
                "J14 basket",
                "youth",
                [halls["gym_b"], halls["gym"]],
                [weekly(0, "17:00", "19:00")],
                acceptable=evenings,
            ),
            _section(
                "Mosjonsbasket",
                "adults",
                [halls["gym"], halls["hall"]],
                [weekly(4, "19:00", "21:00")],
                minutes=(60, 90),
                acceptable=evenings,
            ),
            _section(
                "Minibasket",
                "children",
                [halls["gym_a"], halls["gym_b"]],
                [weekly(2, "17:00", "18:30")],
                minutes=(60, 90),
                acceptable=evenings,
            ),
        ],
        "strommen": [
            _section("U16 volleyball", "youth", [halls["hall"]], contested, minutes=(120, 120)),
            _section(
                "Volleyball damer",
                "adults",
                [halls["hall"], halls["gym"]],
                [weekly(3, "19:00", "21:00")],
                times=2,
                minutes=(90, 120),
                acceptable=evenings,
            ),
        ],
    }


def _series_body(space_id: str, organisation_id: str, season: tuple[date, date]) -> dict[str, Any]:
    return {
        "space_id": space_id,
        "organisation_id": organisation_id,
        "activity": "Håndball",
        "audience": "non_profit",
        "participants": 20,
        "weekday": TUESDAY,
        "start_time": "18:00",
        "end_time": "20:00",
        "first_date": season[0].isoformat(),
        "last_date": (season[0] + timedelta(days=27)).isoformat(),
    }


# --- the checks -----------------------------------------------------------------------------


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _check_hard_rules(
    allocation: dict[str, Any], sections: dict[str, list[dict[str, Any]]], halls: dict[str, str]
) -> None:
    by_name = {section["name"]: section for club in sections.values() for section in club}
    times = allocation["times"]
    assert len(allocation["outcomes"]) == 8
    per_section: dict[str, list[dict[str, Any]]] = {}
    for time in times:
        section = by_name[time["section_name"]]
        start, end = _minutes(time["start"]), _minutes(time["end"])
        assert section["min_minutes"] <= end - start <= section["max_minutes"], time
        assert time["space_id"] in section["halls"], time
        assert time["weekday"] in WEEKDAYS, time
        assert 17 * 60 <= start < end <= 22 * 60, time
        per_section.setdefault(time["section_id"], []).append(time)
    for granted in per_section.values():
        days = [time["weekday"] for time in granted]
        assert len(days) == len(set(days)) <= by_name[granted[0]["section_name"]]["times_per_week"]
    conflicts = {
        halls["gym"]: {halls["gym_a"], halls["gym_b"]},
        halls["gym_a"]: {halls["gym"]},
        halls["gym_b"]: {halls["gym"]},
        halls["hall"]: set(),
    }
    for one in times:
        for other in times:
            if one["id"] >= other["id"] or one["weekday"] != other["weekday"]:
                continue
            clash = one["space_id"] == other["space_id"] or other["space_id"] in conflicts.get(
                one["space_id"], set()
            )
            overlap = _minutes(one["start"]) < _minutes(other["end"]) and _minutes(
                other["start"]
            ) < _minutes(one["end"])
            assert not (clash and overlap), (one, other)


def _check_contested_slot(allocation: dict[str, Any], halls: dict[str, str]) -> None:
    outcomes = {outcome["section_name"]: outcome for outcome in allocation["outcomes"]}
    youth, adults = outcomes["U16 volleyball"], outcomes["Senior håndball"]
    assert youth["status"] == "granted"
    assert adults["status"] == "refused"
    assert adults["explanation_nb"]
    assert adults["explanation"]
    [given] = [t for t in allocation["times"] if t["section_name"] == "U16 volleyball"]
    assert (given["space_id"], given["weekday"], given["start"]) == (
        halls["hall"],
        TUESDAY,
        "18:00",
    )


async def _check_one_message_per_applicant(mailbox: Mailbox) -> None:
    async def results_sent() -> bool:
        return all(len(mailbox.to(club[4])) >= 1 for club in CLUBS.values())

    await eventually(results_sent, timeout=60)
    for club in CLUBS.values():
        assert len(mailbox.to(club[4])) == 1, [m["Subject"] for m in mailbox.to(club[4])]


async def _check_waiting_list_gets_the_freed_time(
    s: Stack,
    base: str,
    clubs: dict[str, dict[str, Any]],
    published: dict[str, Any],
    mailbox: Mailbox,
) -> None:
    admin = token("admin-1", admin=True)
    waiting = await s.call("GET", "booking", f"{base}/waiting-list", admin)
    assert waiting["entries"][0]["section_name"] == "Senior håndball"
    [youth] = [t for t in published["times"] if t["section_name"] == "U16 volleyball"]
    await s.call("POST", "booking", f"/booking-series/{youth['series_id']}/cancel", token("club-3"))

    skjetten = clubs["skjetten"]["id"]
    offers = await s.call(
        "GET", "booking", f"/organisations/{skjetten}/waiting-offers", token("club-1")
    )
    [offer] = [o for o in offers if o["status"] == "open"]
    assert offer["section_name"] == "Senior håndball"
    assert (offer["space_id"], offer["weekday"], offer["start"]) == (
        youth["space_id"],
        TUESDAY,
        "18:00",
    )

    async def offer_told() -> bool:
        return len(mailbox.to(CLUBS["skjetten"][4])) == 2

    await eventually(offer_told, timeout=60)
    accepted = await s.call(
        "POST", "booking", f"/waiting-offers/{offer['id']}/accept", token("club-1")
    )
    assert accepted["series_id"]

    async def series_confirmed() -> bool:  # the accepted offer is told as any new series
        return len(mailbox.to(CLUBS["skjetten"][4])) == 3

    await eventually(series_confirmed, timeout=60)
