"""End to end: a resident's own booking, with the three services as real processes.

A resident books the school's small hall for a birthday, giving an email address: the
confirmation reaches a real SMTP server; a claim of the non-profit price is refused and stores
nothing; the school closes the hall that evening and the cancellation reaches the resident.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from samspill.recurrence import OSLO
from tests.dates import ordinary_day
from tests.e2e.stack import Stack, evening, logs_shown_on_failure, register_school, stack, token
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

RESIDENT = "resident-e2e"
FAMILY_EMAIL = "familien.berg@example.no"
NON_PROFIT_ORE, PRIVATE_ORE = 30_000, 80_000  # per hour


async def test_e2e_resident_is_told_of_booking_and_closure(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with (
        smtp_server(mailbox) as smtp_port,
        stack(
            infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="e2e_resident"
        ) as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s, mailbox)


async def _scenario(s: Stack, mailbox: Mailbox) -> None:
    admin = token("admin-1", admin=True)
    today = datetime.now(OSLO).date()
    day = ordinary_day(start=today + timedelta(days=10))
    space_id, manager = await _small_hall(s, admin, today, day)
    resident = token(RESIDENT)

    # The resident books privately and is told at the address given.
    wanted = _birthday(space_id, day, "private")
    booking = await eventually(lambda: _booked(s, resident, wanted), timeout=30, interval=0.2)
    assert booking["price_ore"] == 2 * PRIVATE_ORE, booking
    confirmed = await eventually(lambda: _mail(mailbox, "er bekreftet"), timeout=20)
    assert "Lillesalen" in confirmed

    # The non-profit price is refused, and nothing more is booked.
    claim = {**_birthday(space_id, day, "non_profit"), "start": evening(day, 20)}
    claim["end"] = evening(day, 21)
    refused = await s.request("POST", "booking", "/bookings", resident, json=claim)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    own = await s.call("GET", "booking", "/bookings", resident)
    assert [b["booking_id"] for b in own] == [booking["booking_id"]]

    # The school closes the hall that evening: the cancellation reaches the resident.
    await s.call(
        "POST",
        "facilities",
        "/closures",
        manager,
        json={
            "space_id": space_id,
            "start": evening(day, 17),
            "end": evening(day, 22),
            "reason": "own_event",
            "note": "Foreldremøte",
        },
    )
    cancelled = await eventually(lambda: _mail(mailbox, "er avlyst"), timeout=30)
    assert "fordi lokalet er stengt (Foreldremøte)" in cancelled
    told = await s.call("GET", "notifications", "/messages", resident)
    assert {(m["kind"], m["status"]) for m in told} >= {
        ("booking_confirmed", "sent"),
        ("booking_cancelled", "sent"),
    }, told


async def _small_hall(s: Stack, admin: str, today: date, day: date) -> tuple[str, str]:
    """A school's small hall anyone may book, priced 300 kr non-profit and 800 kr private."""
    site_id, manager = await register_school(s, admin)
    hall = await s.call(
        "POST",
        "facilities",
        "/spaces",
        manager,
        json={
            "site_id": site_id,
            "name": "Lillesalen",
            "kind": "auditorium",
            "capacity": 60,
            "rules": {"who_may_book": "everyone"},
        },
    )
    space_id = str(hall["space_id"])
    for category, rate in (("non_profit", NON_PROFIT_ORE), ("private", PRIVATE_ORE)):
        await s.call(
            "POST",
            "facilities",
            "/price-rules",
            admin,
            json={"space_id": space_id, "category": category, "hourly_rate_ore": rate},
        )
    await s.call(
        "POST",
        "facilities",
        f"/spaces/{space_id}/windows",
        manager,
        json={
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "start_time": "17:00",
            "end_time": "22:00",
            "valid_from": today.isoformat(),
            "valid_to": (day + timedelta(weeks=2)).isoformat(),
        },
    )

    async def priced() -> bool:
        rules = await s.scalar("booking", "SELECT count(*) FROM read_price_rule")
        return bool(rules == 2)

    await eventually(priced, timeout=30, interval=0.2)
    return space_id, manager


def _birthday(space_id: str, day: date, audience: str) -> dict[str, Any]:
    return {
        "space_id": space_id,
        "activity": "bursdagsfeiring",
        "audience": audience,
        "participants": 15,
        "start": evening(day, 18),
        "end": evening(day, 20),
        "contact": {"name": "Familien Berg", "email": FAMILY_EMAIL},
    }


async def _booked(s: Stack, resident: str, body: dict[str, Any]) -> dict[str, Any] | None:
    response = await s.request("POST", "booking", "/bookings", resident, json=body)
    return dict(response.json()) if response.status_code == 201 else None


async def _mail(mailbox: Mailbox, text_in_body: str) -> str | None:
    return next((b for b in mailbox.bodies(FAMILY_EMAIL) if text_in_body in b), None)
