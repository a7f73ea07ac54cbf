"""End to end: the usage figures of a season equal those worked out from its events.

A school releases Tuesday and Thursday evenings for seven weeks; a club books free and paid
evenings, cancels one, has one cancelled by a closure, one request approved and one rejected;
a family borrows skis and a helmet. Then the `samspill.facilities` and `samspill.booking`
topics are read from the start and the figures computed here, independently of the service,
must equal `/usage` (every grouping), `/usage/loans` and `/usage/invoice-basis`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from samspill.events import booking as be
from samspill.events import facilities as fe
from samspill.events.base import Envelope
from samspill.recurrence import OSLO
from tests.dates import consecutive_dates
from tests.e2e.stack import Stack, logs_shown_on_failure, register_school, stack, token
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.reliability.stack import read_until_quiet
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

GYM_RATE_ORE = 25_000  # non-profit per hour in the gym; children and youth are free


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), OSLO)


async def test_e2e_usage_equals_the_seasons_events(
    infra, isolated_kafka, database_factory, tmp_path
):
    async with (
        smtp_server(Mailbox()) as smtp_port,
        stack(infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="usage") as s,
    ):
        with logs_shown_on_failure(tmp_path):
            season = await _seed_season(s)
            facilities = await read_until_quiet(isolated_kafka, fe.contract)
            booking = await read_until_quiet(isolated_kafka, be.contract)
            await _check(s, season, facilities, booking)


# --- the season, through the APIs -----------------------------------------------------------


async def _seed_season(s: Stack) -> list[date]:
    admin = token("admin-1", admin=True)
    days = consecutive_dates(49, after=7, weekday=0)  # seven weeks, no holiday among them
    site_id, manager = await register_school(s, admin)
    await s.call(
        "POST",
        "facilities",
        "/price-rules",
        admin,
        json={"space_kind": "gym", "category": "non_profit", "hourly_rate_ore": GYM_RATE_ORE},
    )
    spaces = {}
    for name, kind, approval in (("Gymsal", "gym", False), ("Musikkrom", "music_room", True)):
        space = await s.call(
            "POST",
            "facilities",
            "/spaces",
            manager,
            json={
                "site_id": site_id,
                "name": name,
                "kind": kind,
                "capacity": 40,
                "rules": {"approval_required": approval},
            },
        )
        spaces[name] = str(space["space_id"])
        await s.call(
            "POST",
            "facilities",
            f"/spaces/{spaces[name]}/windows",
            manager,
            json={
                "weekdays": [1, 3],
                "start_time": "17:00",
                "end_time": "22:00",
                "valid_from": days[0].isoformat(),
                "valid_to": days[-1].isoformat(),
            },
        )
    member = token("member-1")
    club = await s.call(
        "POST",
        "booking",
        "/organisations",
        member,
        json={
            "name": "Skjetten IL",
            "org_number": "974760673",
            "category": "sports",
            "contact": {"name": "Styret", "email": "styret@skjetten-il.example.no"},
        },
    )
    tuesdays = [d for d in days if d.weekday() == 1]
    thursdays = [d for d in days if d.weekday() == 3]

    async def book(space: str, day: date, start: int, end: int, audience: str) -> dict[str, Any]:
        body = {
            "space_id": spaces[space],
            "organisation_id": club["id"],
            "activity": "Håndball",
            "audience": audience,
            "participants": 14,
            "start": at(day, start).isoformat(),
            "end": at(day, end).isoformat(),
        }

        async def booked() -> dict[str, Any] | None:  # the windows may still be travelling
            response = await s.request("POST", "booking", "/bookings", member, json=body)
            return dict(response.json()) if response.status_code == 201 else None

        return await eventually(booked, timeout=30)

    await book("Gymsal", tuesdays[0], 18, 20, "children_youth")
    await book("Gymsal", tuesdays[1], 18, 21, "non_profit")
    await book("Gymsal", tuesdays[2], 17, 19, "non_profit")
    closed = await book("Gymsal", thursdays[2], 19, 21, "non_profit")
    cancelled = await book("Gymsal", tuesdays[3], 17, 19, "children_youth")
    await s.call("POST", "booking", f"/bookings/{cancelled['booking_id']}/cancel", member)
    approved = await book("Musikkrom", thursdays[0], 18, 19, "children_youth")
    rejected = await book("Musikkrom", thursdays[1], 18, 20, "children_youth")
    await s.call("POST", "booking", f"/bookings/{approved['booking_id']}/approve", manager)
    await s.call("POST", "booking", f"/bookings/{rejected['booking_id']}/reject", manager)
    # The whole school closes on the third Thursday: the club's booking there is cancelled.
    await _close_site(s, manager, site_id, thursdays[2])

    async def closure_applied() -> bool:
        found = await s.call("GET", "booking", f"/bookings/{closed['booking_id']}", member)
        return bool(found["status"] == "cancelled")

    await eventually(closure_applied, timeout=30)
    await _lend(s, admin, days)
    return days


async def _close_site(s: Stack, manager: str, site_id: str, day: date) -> None:
    await s.call(
        "POST",
        "facilities",
        "/closures",
        manager,
        json={
            "site_id": site_id,
            "start": at(day, 17).isoformat(),
            "end": at(day, 22).isoformat(),
            "reason": "own_event",
        },
    )


async def _lend(s: Stack, admin: str, days: list[date]) -> None:
    centre = await s.call(
        "POST",
        "facilities",
        "/sites",
        admin,
        json={
            "kind": "equipment_centre",
            "name": "BUA Skjetten",
            "address": "Skjettenveien 2, 2013 Skjetten",
            "district": "skedsmo",
            "contact": {"name": "BUA", "email": "bua@example.no"},
            "lending_reservation_days": 60,
        },
    )
    centre_id = centre["site_id"]
    types = {}
    for name, category, units in (("Langrennski", "ski", 3), ("Hjelm", "hjelm", 2)):
        item_type = await s.call(
            "POST",
            "facilities",
            f"/centres/{centre_id}/item-types",
            admin,
            json={"name": name, "category": category, "max_loan_days": 7},
        )
        types[name] = item_type["item_type_id"]
        for number in range(units):
            await s.call(
                "POST",
                "facilities",
                f"/item-types/{types[name]}/units",
                admin,
                json={"label": f"{name}-{number}"},
            )
    family = token("family-1")
    contact = {"name": "Familien Berg", "email": "berg@example.no"}

    async def reserve(lines: list[tuple[str, int]], pickup: date) -> dict[str, Any] | None:
        body = {
            "pickup_date": pickup.isoformat(),
            "return_date": (pickup + timedelta(days=2)).isoformat(),
            "lines": [{"item_type_id": types[n], "quantity": q} for n, q in lines],
            "contact": contact,
        }
        response = await s.request("POST", "booking", "/loans", family, json=body)
        return dict(response.json()) if response.status_code == 201 else None

    pickup = days[2]
    await eventually(lambda: reserve([("Langrennski", 2), ("Hjelm", 1)], pickup), timeout=30)
    second = await eventually(lambda: reserve([("Langrennski", 1)], pickup), timeout=30)
    await s.call("POST", "booking", f"/loans/{second['loan_id']}/cancel", family)


# --- the figures, from the events -----------------------------------------------------------


def _latest(envelopes: list[Envelope], field: str, id_field: str) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for envelope in envelopes:
        state = getattr(envelope.data, field, None)
        if state is not None:
            states[str(getattr(state, id_field))] = state
    return states


def _minutes(day: date, start: time, end: time) -> set[datetime]:
    first = datetime.combine(day, start, OSLO)
    count = int((datetime.combine(day, end, OSLO) - first).total_seconds() // 60)
    return {first + timedelta(minutes=n) for n in range(count)}


def _expected(
    facilities: list[Envelope], booking: list[Envelope], days: list[date], now: datetime
) -> dict[str, dict[str, dict[str, int | None]]]:
    sites = _latest(facilities, "site", "site_id")
    spaces = _latest(facilities, "space", "space_id")
    windows = _latest(facilities, "window", "window_id")
    closures: dict[str, fe.ClosureState] = {}
    for envelope in facilities:
        if isinstance(envelope.data, fe.ClosureScheduled):
            closures[str(envelope.data.closure.closure_id)] = envelope.data.closure
        elif isinstance(envelope.data, fe.ClosureLifted):
            closures.pop(str(envelope.data.closure.closure_id), None)
    bookings = _latest(booking, "booking", "booking_id")
    start, end = at(days[0], 0), datetime.combine(days[-1] + timedelta(days=1), time(0), OSLO)

    released: dict[str, int] = {}
    for space_id, space in spaces.items():
        open_minutes: set[datetime] = set()
        for window in windows.values():
            if str(window.space_id) != space_id or window.withdrawn:
                continue
            for day in days:
                if (
                    window.valid_from <= day <= window.valid_to
                    and day.weekday() in window.weekdays
                    and day not in window.withdrawn_dates
                ):
                    open_minutes |= _minutes(day, window.start_time, window.end_time)
        for closure in closures.values():
            if closure.site_id == space.site_id and closure.space_id in (None, space.space_id):
                open_minutes = {m for m in open_minutes if not closure.start <= m < closure.end}
        released[space_id] = len({m for m in open_minutes if start <= m < end})

    keys = {
        "site": lambda b: str(b.site_id),
        "space": lambda b: str(b.space_id),
        "district": lambda b: sites[str(b.site_id)].district,
        "organisation": lambda b: str(b.organisation_id),
    }
    expected: dict[str, dict[str, dict[str, int | None]]] = {}
    for by, key in keys.items():
        groups: dict[str, dict[str, int | None]] = defaultdict(
            lambda: dict.fromkeys(("booked", "cancelled", "used", "free"), 0)
        )
        if by != "organisation":
            for space_id, space in spaces.items():
                group = groups[key(space)]
                group["released"] = int(group.get("released") or 0) + released[space_id]
        for state in bookings.values():
            if not start <= state.start < end or state.status == "rejected":
                continue
            group = groups[key(state)]
            minutes = int((state.end - state.start).total_seconds() // 60)
            group["booked"] = int(group["booked"] or 0) + minutes
            if state.status == "cancelled":
                group["cancelled"] = int(group["cancelled"] or 0) + minutes
            if state.status == "confirmed" and state.end <= now:
                group["used"] = int(group["used"] or 0) + minutes
            if state.status != "cancelled" and state.price_ore == 0:
                group["free"] = int(group["free"] or 0) + minutes
            group.setdefault("released", None if by == "organisation" else 0)
        expected[by] = dict(groups)
    return expected


async def _check(
    s: Stack, days: list[date], facilities: list[Envelope], booking: list[Envelope]
) -> None:
    admin = token("admin-1", admin=True)
    period = {"from": days[0].isoformat(), "to": days[-1].isoformat()}
    answers = {
        by: await s.call("GET", "booking", "/usage", admin, params={**period, "by": by})
        for by in ("site", "space", "district", "organisation")
    }
    now = min(datetime.fromisoformat(a["computed_at"]) for a in answers.values())
    expected = _expected(facilities, booking, days, now)
    for by, answer in answers.items():
        found = {
            group["key"]: {
                "released": group["released_minutes"],
                "booked": group["booked_minutes"],
                "cancelled": group["cancelled_minutes"],
                "used": group["used_minutes"],
                "free": group["free_minutes"],
            }
            for group in answer["groups"]
        }
        assert found == expected[by], by
    site_total = answers["site"]["total"]
    # The season as seeded: 7 weeks × 2 evenings × 2 spaces × 5 h, less the closed evening.
    assert site_total["released_minutes"] == (7 * 2 * 2 - 2) * 300
    assert site_total["booked_minutes"] == (2 + 3 + 2 + 2 + 2 + 1) * 60
    assert site_total["cancelled_minutes"] == 4 * 60
    assert site_total["free_minutes"] == 3 * 60
    assert site_total["free_share"] == pytest.approx(3 / 8, abs=1e-4)

    invoice = await s.call("GET", "booking", "/usage/invoice-basis", admin, params=period)
    bookings = _latest(booking, "booking", "booking_id")
    paid = [
        b
        for b in bookings.values()
        if b.status == "confirmed"
        and b.price_ore > 0
        and days[0] <= b.start.astimezone(OSLO).date()
    ]
    [organisation] = invoice["organisations"]
    assert sorted(line["amount_ore"] for line in organisation["lines"]) == sorted(
        b.price_ore for b in paid
    )
    assert organisation["total_ore"] == sum(b.price_ore for b in paid) == 5 * GYM_RATE_ORE

    loans = await s.call("GET", "booking", "/usage/loans", admin, params=period)
    item_types = _latest(facilities, "item_type", "item_type_id")
    expected_loans: dict[str, dict[str, Any]] = defaultdict(lambda: {"loans": set(), "units": 0})
    for loan in _latest(booking, "loan", "loan_id").values():
        for line in loan.lines:
            category = item_types[str(line.item_type_id)].category
            expected_loans[category]["loans"].add(loan.loan_id)
            expected_loans[category]["units"] += len(line.unit_ids)
    assert {g["category"]: (g["loans"], g["units"]) for g in loans["groups"]} == {
        category: (len(found["loans"]), found["units"])
        for category, found in expected_loans.items()
    }
    assert {g["category"]: g["cancelled"] for g in loans["groups"]} == {"ski": 1, "hjelm": 0}
    assert uuid.UUID(loans["groups"][0]["centre_id"])
