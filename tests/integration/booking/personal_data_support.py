"""A planted person for the personal-data tests: distinctive values in every place booking
keeps them (profile, membership, invitation, own booking and series, a loan with damage notes,
a booking for a club), and a scan of every text column of every table for them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from samspill.db import UnitsOfWork, units_of_work
from tests.dates import ordinary_day, today
from tests.integration.booking.booking_support import at, iso
from tests.integration.booking.lending_support import Centre, stock_centre
from tests.integration.booking.test_bookings_residents import open_hall
from tests.integration.booking.world import World

NAME = "Ingeborg Zyxqvist"
EMAIL = "ingeborg.zyxqvist@planted.example"
PHONE = "+4791234987"
NOTES = "Zyxqvist-skade: bindingen knekt"
ACTIVITY = "Zyxqvist bursdag"
PLANTED = (NAME, EMAIL, PHONE, NOTES, ACTIVITY)
TEXT_TYPES = ("character varying", "text", "jsonb", "json")


def units(world: World) -> UnitsOfWork:
    from booking.tables import messaging

    return units_of_work(world.service.app.state.sessions, messaging, source="/samspill/booking")


@dataclass
class Planted:
    sub: str
    person_id: str
    headers: dict[str, str]
    organisation: uuid.UUID
    hall: uuid.UUID
    centre: Centre
    days: list[date] = field(default_factory=list)
    booking_ids: dict[str, str] = field(default_factory=dict)
    loan_id: str = ""


async def profile(world: World, headers: dict[str, str], name: str, email: str) -> None:
    body = {"display_name": name, "email": email, "phone": PHONE}
    answer = await world.service.client.put("/me/profile", json=body, headers=headers)
    assert answer.status_code == 200, answer.text


async def invite(world: World, organisation: uuid.UUID, email: str, role: str = "booker") -> None:
    answer = await world.service.client.post(
        f"/organisations/{organisation}/invitations",
        json={"email": email, "role": role},
        headers=world.member(organisation),
    )
    assert answer.status_code == 201, answer.text


async def join(world: World, organisation: uuid.UUID, headers: dict[str, str], email: str) -> None:
    """Invite `email` as a booker and accept with the code taken from the event."""
    await invite(world, organisation, email)
    events = await world.db.events("samspill.booking.invitation.created.v1")
    code = next(
        e["invitation"]["code"]
        for e in reversed(events)
        if (e["invitation"]["email"], e["invitation"]["organisation_id"])
        == (email, str(organisation))
    )
    accepted = await world.service.client.post(f"/invitations/{code}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text


def booking_body(space_id: uuid.UUID, day: date, **extra: Any) -> dict[str, Any]:
    return {
        "space_id": str(space_id),
        "activity": ACTIVITY,
        "audience": "private",
        "participants": 8,
        "start": iso(at(day, 18)),
        "end": iso(at(day, 19)),
        **extra,
    }


async def book(world: World, headers: dict[str, str], body: dict[str, Any]) -> str:
    answer = await world.service.client.post("/bookings", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["booking_id"])


async def plant(world: World, sub: str = "planted-1") -> Planted:
    """The person with a profile, a membership of the first club (booker), a pending
    invitation from the second, an own booking and series, a club booking made by them and a
    returned loan with damage notes."""
    client = world.service.client
    headers = world.person(sub)
    organisation, other = world.organisations[0], world.organisations[1]
    await profile(world, headers, NAME, EMAIL)
    await join(world, organisation, headers, EMAIL)
    await invite(world, other, EMAIL, role="viewer")

    hall = await open_hall(world)
    centre = Centre("BUA Zentrum")
    await stock_centre(world.service, world.kafka, centre, {"ski": (3, 14)})
    planted = Planted(sub, world.service.person_id(sub), headers, organisation, hall, centre)

    first = ordinary_day(start=today() + timedelta(weeks=2))
    planted.days = [first, ordinary_day(1, start=first)]
    planted.booking_ids["own"] = await book(world, headers, booking_body(hall, first))
    club = booking_body(
        world.other_gym, first, organisation_id=str(organisation), audience="children_youth"
    )
    club["activity"] = "Håndballtrening"
    planted.booking_ids["club"] = await book(world, headers, club)
    series = {
        "space_id": str(hall),
        "activity": ACTIVITY,
        "audience": "private",
        "participants": 8,
        "weekday": planted.days[1].weekday(),
        "start_time": "20:00",
        "end_time": "21:00",
        "first_date": planted.days[1].isoformat(),
        "last_date": (planted.days[1] + timedelta(weeks=2)).isoformat(),
    }
    made = await client.post("/booking-series", json=series, headers=headers)
    assert made.status_code == 201, made.text

    reserve = {
        "pickup_date": today().isoformat(),
        "return_date": (today() + timedelta(days=2)).isoformat(),
        "lines": [{"item_type_id": centre.type_id("ski"), "quantity": 1}],
    }
    loan = await client.post("/loans", json=reserve, headers=headers)
    assert loan.status_code == 201, loan.text
    planted.loan_id = loan.json()["loan_id"]
    staff = await world.staff(centre.centre_id, sub="desk-1")
    picked = await client.post(f"/loans/{planted.loan_id}/pickup", headers=staff)
    assert picked.status_code == 200, picked.text
    returned = await client.post(
        f"/loans/{planted.loan_id}/return", json={"damage_notes": NOTES}, headers=staff
    )
    assert returned.status_code == 200, returned.text
    return planted


async def text_columns(world: World) -> list[tuple[str, str]]:
    rows = await world.db.rows(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type = ANY(:types) ORDER BY 1, 2",
        types=list(TEXT_TYPES),
    )
    return [(row.table_name, row.column_name) for row in rows]


async def where_found(world: World, values: tuple[str, ...] = PLANTED) -> list[str]:
    """Every `table.column` (text, varchar or JSON) holding any of the values, ignoring case."""
    found: list[str] = []
    for table, column in await text_columns(world):
        for value in values:
            count = await world.db.scalar(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE :pattern',
                pattern=f"%{value}%",
            )
            if count:
                found.append(f"{table}.{column}: {value}")
    return found


async def usage_figures(world: World, first: date) -> list[Any]:
    """The usage report, the invoice basis and the loan figures around the planted dates."""
    client, admin = world.service.client, world.admin()
    period = {
        "from": (first - timedelta(days=7)).isoformat(),
        "to": (first + timedelta(days=30)).isoformat(),
    }
    loans_period = {"from": today().isoformat(), "to": (today() + timedelta(days=7)).isoformat()}
    answers = [
        await client.get("/usage", params=period, headers=admin),
        await client.get("/usage", params={**period, "by": "organisation"}, headers=admin),
        await client.get("/usage/invoice-basis", params=period, headers=admin),
        await client.get("/usage/loans", params=loans_period, headers=admin),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
    return [_without_time(answer.json()) for answer in answers]


def _without_time(report: Any) -> Any:
    if isinstance(report, dict):
        return {k: _without_time(v) for k, v in report.items() if k != "computed_at"}
    return report


async def sql(world: World, statement: str, **params: Any) -> list[Any]:
    async with world.service.app.state.sessions() as session:
        return list((await session.execute(text(statement), params)).all())


_CANCELLATION_FIGURES = frozenset({"cancelled_minutes", "cancelled_hours", "free_share"})


def _without_cancellations(report: Any) -> Any:
    if isinstance(report, dict):
        return {
            k: _without_cancellations(v)
            for k, v in report.items()
            if k not in _CANCELLATION_FIGURES and k != "computed_at"
        }
    if isinstance(report, list):
        return [_without_cancellations(item) for item in report]
    return report


def newly_cancelled_minutes(before: dict[str, Any], after: dict[str, Any]) -> int:
    """A usage report after an erasure against the one before: everything is the same except
    that bookings the erased person still held are now cancelled; the minutes moved."""
    assert _without_cancellations(after) == _without_cancellations(before)
    return int(after["total"]["cancelled_minutes"]) - int(before["total"]["cancelled_minutes"])
