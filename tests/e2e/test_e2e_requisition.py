"""End to end: the emergency staff requisition a school over a weekend, with the three
services as real processes and a real SMTP server.

The school also runs the municipality's equipment centre (its site is both: halls and skis).
Four clubs hold 20 bookings in its two halls over an ordinary weekend and three families have
reserved skis for it. The admin makes a person emergency staff, who requisitions the site for
the weekend: the 20 bookings and 3 loans are cancelled at once, each club and family gets one
message listing all of theirs, a new booking is refused, and lifting the requisition tells
each club that its times are offered back.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest

from tests.dates import consecutive_dates, today
from tests.e2e.stack import Stack, evening, logs_shown_on_failure, person_of, stack, token
from tests.integration.booking.booking_support import org_number
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(400)]

CLUBS = 4
HOURS = (10, 12, 14, 16, 18)  # 2 days × 2 halls × 5 hours = 20 bookings, 5 per club
FAMILIES = ("familien.berg@example.no", "familien.dahl@example.no", "familien.lie@example.no")
REASON = "Evakueringssenter etter flom"


def club_email(n: int) -> str:
    return f"post@klubb{n}.example.no"


async def test_e2e_requisition_of_a_school_over_a_weekend(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with (
        smtp_server(mailbox) as smtp_port,
        stack(
            infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="e2e_requisition"
        ) as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s, mailbox)


async def _scenario(s: Stack, mailbox: Mailbox) -> None:
    admin = token("admin-1", admin=True)
    # An ordinary weekend (no holiday, no clock change) at least a few days ahead.
    saturday, sunday = consecutive_dates(2, 4, weekday=5)
    site_id, halls, item_type_id = await _school_and_centre(s, admin, saturday)

    clubs = [await _club(s, n) for n in range(CLUBS)]
    slots = [(day, hall, hour) for day in (saturday, sunday) for hall in halls for hour in HOURS]
    for (day, hall, hour), (organisation_id, member) in zip(
        slots, itertools.cycle(clubs), strict=False
    ):
        body = _booking(hall, organisation_id, day, hour)
        await eventually(lambda b=body, m=member: _booked(s, m, b), timeout=30, interval=0.2)
    for n, email in enumerate(FAMILIES):
        await _loan(s, token(f"family-{n}"), item_type_id, saturday, sunday, email)
    assert await s.scalar("booking", "SELECT count(*) FROM booking WHERE status='confirmed'") == 20

    async def everyone_confirmed() -> bool:
        addresses = [club_email(n) for n in range(CLUBS)] + list(FAMILIES)
        return all(mailbox.to(a) for a in addresses) and len(mailbox.received) >= 23

    await eventually(everyone_confirmed, timeout=60, interval=0.2)

    # The admin makes a person emergency staff, who requisitions the site for the weekend.
    staff = token("beredskap-1")
    await s.call("PUT", "facilities", f"/emergency-staff/{person_of('beredskap-1')}", admin)
    requisition = await s.call(
        "POST",
        "facilities",
        "/requisitions",
        staff,
        json={
            "site_id": site_id,
            "start": evening(saturday, 0),
            "end": evening(sunday + timedelta(days=1), 0),
            "reason": REASON,
        },
    )

    async def all_cancelled() -> bool:
        bookings = await s.scalar(
            "booking", "SELECT count(*) FROM booking WHERE cancellation_reason = 'requisition'"
        )
        loans = await s.scalar(
            "booking", "SELECT count(*) FROM loan WHERE cancel_reason = 'requisition'"
        )
        return bool(bookings == 20 and loans == 3)

    await eventually(all_cancelled, timeout=30, interval=0.2)

    def told(address: str, subject: str) -> list[str]:
        return [
            str(m.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
            for m in mailbox.to(address)
            if subject in str(m["Subject"])
        ]

    async def everyone_told() -> bool:
        return all(told(club_email(n), "rekvirert") for n in range(CLUBS)) and all(
            told(email, "rekvirert") for email in FAMILIES
        )

    await eventually(everyone_told, timeout=60, interval=0.2)

    # A new booking over the weekend is refused while the requisition lasts.
    organisation_id, member = clubs[0]
    refused = await s.request(
        "POST", "booking", "/bookings", member, json=_booking(halls[0], organisation_id, sunday, 20)
    )
    assert refused.status_code == 422, refused.text
    assert "emergency" in refused.json()["detail"]

    # Lifted: each club is told once that its five times are offered back.
    await s.call("POST", "facilities", f"/requisitions/{requisition['requisition_id']}/lift", staff)

    async def offered_back() -> bool:
        return all(told(club_email(n), "frigitt") for n in range(CLUBS))

    await eventually(offered_back, timeout=60, interval=0.2)
    for n in range(CLUBS):
        [cancelled] = told(club_email(n), "rekvirert")
        assert REASON in cancelled
        assert cancelled.count("\n- ") == 5, cancelled
        [offer] = told(club_email(n), "frigitt")
        assert offer.count("\n- ") == 5, offer
    for email in FAMILIES:
        [cancelled] = told(email, "rekvirert")
        assert "(utlån)" in cancelled
        assert not told(email, "frigitt")
    assert (
        await s.scalar(
            "notifications", "SELECT count(*) FROM message WHERE kind = 'booking_cancelled'"
        )
        == 0
    )


async def _school_and_centre(s: Stack, admin: str, saturday: date) -> tuple[str, list[str], str]:
    """Skjetten skole, which runs the equipment centre too: two halls open every day 08–22 and
    three pairs of skis. Its manager and its centre staff are granted by the admin."""
    site = await s.call(
        "POST",
        "facilities",
        "/sites",
        admin,
        json={
            "kind": "equipment_centre",
            "name": "Skjetten skole og BUA",
            "address": "Skjettenveien 1, 2013 Skjetten",
            "district": "skedsmo",
            "contact": {"name": "Skolekontoret", "email": "skjetten.skole@example.no"},
            "lending_reservation_days": 120,
        },
    )
    site_id = str(site["site_id"])
    await s.call("PUT", "facilities", f"/sites/{site_id}/managers/{person_of('manager-1')}", admin)
    await s.call("PUT", "facilities", f"/centres/{site_id}/staff/{person_of('staff-1')}", admin)
    manager, staff = token("manager-1"), token("staff-1")
    halls = []
    for name, kind in (("Gymsal", "gym"), ("Aula", "auditorium")):
        hall = await s.call(
            "POST",
            "facilities",
            "/spaces",
            manager,
            json={"site_id": site_id, "name": name, "kind": kind, "capacity": 60},
        )
        halls.append(str(hall["space_id"]))
        await s.call(
            "POST",
            "facilities",
            f"/spaces/{hall['space_id']}/windows",
            manager,
            json={
                "weekdays": [0, 1, 2, 3, 4, 5, 6],
                "start_time": "08:00",
                "end_time": "22:00",
                "valid_from": today().isoformat(),
                "valid_to": (saturday + timedelta(weeks=4)).isoformat(),
            },
        )
    item_type = await s.call(
        "POST",
        "facilities",
        f"/centres/{site_id}/item-types",
        staff,
        json={"name": "Langrennski", "category": "vinter", "variant": "130 cm"},
    )
    for n in range(1, 4):
        await s.call(
            "POST",
            "facilities",
            f"/item-types/{item_type['item_type_id']}/units",
            staff,
            json={"label": f"SKI-{n}"},
        )
    return site_id, halls, str(item_type["item_type_id"])


async def _club(s: Stack, n: int) -> tuple[str, str]:
    member = token(f"member-{n}")
    organisation = await s.call(
        "POST",
        "booking",
        "/organisations",
        member,
        json={
            "name": f"Klubb {n}",
            "org_number": org_number(20_000 + n * 41),
            "category": "sports",
            "contact": {"name": f"Leder {n}", "email": club_email(n)},
        },
    )
    return str(organisation["id"]), member


def _booking(hall: str, organisation_id: str, day: date, hour: int) -> dict[str, Any]:
    return {
        "space_id": hall,
        "organisation_id": organisation_id,
        "activity": "håndball",
        "audience": "children_youth",
        "participants": 16,
        "start": evening(day, hour),
        "end": evening(day, hour + 1),
    }


async def _booked(s: Stack, member: str, body: dict[str, Any]) -> dict[str, Any] | None:
    response = await s.request("POST", "booking", "/bookings", member, json=body)
    return dict(response.json()) if response.status_code == 201 else None


async def _loan(
    s: Stack, resident: str, item_type_id: str, pickup: date, back: date, email: str
) -> None:
    body = {
        "pickup_date": pickup.isoformat(),
        "return_date": back.isoformat(),
        "lines": [{"item_type_id": item_type_id, "quantity": 1}],
        "contact": {"name": "Familien", "email": email, "channel": "email"},
    }

    async def reserved() -> bool:
        response = await s.request("POST", "booking", "/loans", resident, json=body)
        return response.status_code == 201

    await eventually(reserved, timeout=30, interval=0.2)
