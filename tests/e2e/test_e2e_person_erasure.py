"""End to end: a person's export and erasure across the three services as real processes.

A person with a distinctive name, email address, phone number and damage note joins a club
(and books a hall for it), books a hall for themselves, borrows skis (returned with a damage
note), is emailed at a real SMTP server and fetches their private loans feed. Their export from
the three services holds every planted value. They erase themselves; once the confirmation is
emailed, no column of any of the three databases (text, JSON and bytes: the outbox and inbox
included) holds a planted value, and the person's id is left only where docs/privacy.md says
it stays (the access log's subject, and the events of the erasure itself in booking's outbox);
the club's booking stands under the club's name, the usage figures are those of before but for
the person's own booking still to come, now cancelled; the private feed is gone; and no log
line written after the erasure carries a planted value.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from samspill.db import create_engine
from samspill.recurrence import OSLO
from tests.dates import ordinary_day
from tests.e2e.stack import (
    Stack,
    evening,
    logs_shown_on_failure,
    person_of,
    register_school,
    stack,
    token,
)
from tests.integration.booking.personal_data_support import newly_cancelled_minutes
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

SUB = "zyxwa-e2e"
NAME = "Zyxwa Quorvendal"
EMAIL = "zyxwa.quorvendal@example.no"
PHONE = "+47 91234567"
NOTE = "Zyxwa-merke på skia"
PHONE_DIGITS = "91234567"  # in every form the number is kept or shown (+4791234567, ...)
PLANTED = (NAME, EMAIL, PHONE_DIGITS, NOTE)
CLUB = "Skjetten Zyxwaklubb"
# Where docs/privacy.md keeps the person's id after the erasure: the access log names whose
# data staff looked at (until ACCESS_LOG_RETENTION_DAYS), and booking's outbox holds the
# events the erasure itself wrote (they must reach the other services; the outbox purge
# removes them after OUTBOX_RETENTION_DAYS).
ID_KEPT_COLUMNS = {("booking", "access_log", "subject_person_id")}
ID_KEPT_EVENTS = {"samspill.booking.person.erased.v1", "samspill.booking.membership.changed.v1"}
SCANNED_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea")


async def test_e2e_a_person_is_exported_then_erased_everywhere(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with (
        smtp_server(mailbox) as smtp_port,
        stack(
            infra,
            isolated_kafka,
            database_factory,
            smtp_port,
            tmp_path,
            label="e2e_erasure",
            env={"LOG_LEVEL": "INFO"},
        ) as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s, mailbox, tmp_path)


async def _scenario(s: Stack, mailbox: Mailbox, logs: Path) -> None:
    admin = token("admin-1", admin=True)
    today = datetime.now(OSLO).date()
    day = ordinary_day(start=today + timedelta(days=10))
    hall = await _hall(s, admin, today, day)
    person = token(SUB)
    person_id = person_of(SUB)
    await s.call(
        "PUT",
        "booking",
        "/me/profile",
        person,
        json={"display_name": NAME, "email": EMAIL, "phone": PHONE},
    )

    # A club administered by someone else; the person joins it as a booker and books for it.
    chair = token("chair-e2e")
    club = await s.call(
        "POST",
        "booking",
        "/organisations",
        chair,
        json={
            "name": CLUB,
            "org_number": "974760673",
            "category": "sports",
            "contact": {"name": "Styret", "email": "styret@zyxwaklubb.example"},
        },
    )
    await s.call(
        "POST",
        "booking",
        f"/organisations/{club['id']}/invitations",
        chair,
        json={"email": EMAIL, "role": "booker"},
    )
    code = await s.scalar(
        "booking",
        "SELECT convert_from(value, 'UTF8')::jsonb->'invitation'->>'code' FROM outbox "
        "WHERE event_type = 'samspill.booking.invitation.created.v1'",
    )
    await s.call("POST", "booking", f"/invitations/{code}/accept", person)
    club_booking = await s.call(
        "POST",
        "booking",
        "/bookings",
        person,
        json={
            "space_id": hall,
            "organisation_id": club["id"],
            "activity": "håndball G12",
            "audience": "children_youth",
            "participants": 14,
            "start": evening(day, 17),
            "end": evening(day, 18),
        },
    )

    # Their own booking, a loan (picked up, returned with a damage note), their messages.
    own = await s.call(
        "POST",
        "booking",
        "/bookings",
        person,
        json={
            "space_id": hall,
            "activity": "bursdag",
            "audience": "private",
            "participants": 10,
            "start": evening(day, 19),
            "end": evening(day, 21),
            "contact": {"name": NAME, "email": EMAIL, "phone": PHONE},
        },
    )
    await _borrow_and_return(s, admin, person, today)
    await eventually(lambda: _mail(mailbox, "er bekreftet"), timeout=30)

    # Their private loans feed, fetched (so its answer is cached).
    issued = await s.once_allowed(
        "POST", "notifications", "/feed-tokens", person, json={"kind": "loans"}
    )
    feed = s.url("notifications", "/feeds" + issued["url"].split("/feeds", 1)[1])
    assert (await s.client.get(feed)).status_code == 200

    # The export of the three services holds every planted value.
    exports = [await s.call("GET", name, "/me/data", person) for name in s.urls]
    everything = json.dumps(exports, ensure_ascii=False)
    for value in PLANTED:
        assert value in everything, value
    assert {e["person_id"] for e in exports} == {person_id}

    # The scan sees them where they are now, the events' bytes included.
    planted_at = await _found(s, list(PLANTED))
    assert {hit[3] for hit in planted_at} == set(PLANTED)
    assert ("booking", "outbox", "value") in {hit[:3] for hit in planted_at}

    usage_before = await _usage(s, admin, day)
    offsets = _log_offsets(logs)
    mails_before = len(mailbox.to(EMAIL))

    erased = await s.call("POST", "booking", "/me/erasure", person)
    assert erased["erasure_id"]
    confirmation = await eventually(lambda: _new_mail(mailbox, mails_before, "slettet"), timeout=30)
    assert NAME not in confirmation
    await _settled(s)

    # No planted value anywhere; the person's id only where it is kept on purpose.
    found = await _found(s, [*PLANTED, person_id])
    assert [hit for hit in found if hit[3] != person_id] == [], found
    id_hits = {hit[:3] for hit in found}
    outbox = {("booking", "outbox", column) for column in ("key", "headers", "value")}
    assert id_hits <= ID_KEPT_COLUMNS | outbox, id_hits
    kept_events = await s.scalar(
        "booking",
        "SELECT coalesce(array_agg(DISTINCT event_type), '{}') FROM outbox "
        f"WHERE strpos(convert_from(value, 'UTF8'), '{person_id}') > 0 OR key = '{person_id}'",
    )
    assert set(kept_events) <= ID_KEPT_EVENTS, kept_events

    # The club's booking stands under the club's name; the own booking is cancelled.
    seen = await s.call("GET", "booking", f"/bookings/{club_booking['booking_id']}", chair)
    assert (seen["status"], seen["organisation_id"]) == ("confirmed", club["id"])
    status = await s.scalar(
        "booking",
        f"SELECT status || ':' || cancellation_reason FROM booking "
        f"WHERE id = '{own['booking_id']}'",
    )
    assert status == "cancelled:person_erased"
    # The cancellation freed the evening and was told to no one.
    told = await s.scalar(
        "notifications", "SELECT count(*) FROM message WHERE kind LIKE '%cancel%'"
    )
    assert told == 0

    # The usage figures: the same, but for the own booking's two hours, now cancelled.
    usage_after = await _usage(s, admin, day)
    assert newly_cancelled_minutes(usage_before[0], usage_after[0]) == 120
    assert newly_cancelled_minutes(usage_before[1], usage_after[1]) == 120
    assert _group(usage_after[1], club["id"]) == _group(usage_before[1], club["id"])
    assert usage_after[2:] == usage_before[2:]

    # The private feed is gone, cache and all.
    assert (await s.client.get(feed)).status_code in (404, 410)

    # Nothing logged since the erasure carries a planted value.
    assert any(_written_since(log, offset) for log, offset in offsets.items())
    for log, offset in offsets.items():
        written = _written_since(log, offset)
        for value in PLANTED:
            assert value not in written, (log.name, value)


def _log_offsets(logs: Path) -> dict[Path, int]:
    return {log: log.stat().st_size for log in sorted(logs.glob("*.log"))}


def _written_since(log: Path, offset: int) -> str:
    with log.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def _group(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in group.items() if k != "computed_at"}
        for group in report["groups"]
        if group["key"] == key
    ]


async def _hall(s: Stack, admin: str, today: date, day: date) -> str:
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
    for category, rate in (("non_profit", 0), ("private", 80_000), ("children_youth", 0)):
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

    async def bookable() -> bool:
        rules = await s.scalar("booking", "SELECT count(*) FROM read_price_rule")
        windows = await s.scalar("booking", "SELECT count(*) FROM read_window")
        return bool(rules == 3 and windows)

    await eventually(bookable, timeout=30, interval=0.2)
    return space_id


async def _borrow_and_return(s: Stack, admin: str, person: str, today: date) -> None:
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
        },
    )
    centre_id = centre["site_id"]
    desk = token("desk-e2e")
    await s.call("PUT", "facilities", f"/centres/{centre_id}/staff/{person_of('desk-e2e')}", admin)
    skis = await s.call(
        "POST",
        "facilities",
        f"/centres/{centre_id}/item-types",
        admin,
        json={"name": "Langrennski", "category": "ski", "max_loan_days": 7},
    )
    type_id = skis.get("item_type_id") or skis["id"]
    for label in ("SKI-1", "SKI-2"):
        await s.call(
            "POST", "facilities", f"/item-types/{type_id}/units", admin, json={"label": label}
        )

    async def reserved() -> dict[str, Any] | None:
        response = await s.request(
            "POST",
            "booking",
            "/loans",
            person,
            json={
                "pickup_date": today.isoformat(),
                "return_date": (today + timedelta(days=2)).isoformat(),
                "lines": [{"item_type_id": type_id, "quantity": 1}],
            },
        )
        return dict(response.json()) if response.status_code == 201 else None

    loan = await eventually(reserved, timeout=30, interval=0.2)
    loan_id = loan["loan_id"]
    await s.once_allowed("POST", "booking", f"/loans/{loan_id}/pickup", desk)
    await s.call("POST", "booking", f"/loans/{loan_id}/return", desk, json={"damage_notes": NOTE})


async def _usage(s: Stack, admin: str, day: date) -> list[Any]:
    period = f"from={(day - timedelta(days=7)).isoformat()}&to={(day + timedelta(days=7))}"
    loans = f"from={(day - timedelta(days=20)).isoformat()}&to={day.isoformat()}"
    return [
        await s.call("GET", "booking", f"/usage?{period}", admin),
        await s.call("GET", "booking", f"/usage?{period}&by=organisation", admin),
        await s.call("GET", "booking", f"/usage/invoice-basis?{period}", admin),
        await s.call("GET", "booking", f"/usage/loans?{loans}", admin),
    ]


async def _settled(s: Stack) -> None:
    """The erasure reached notifications and facilities, and every outbox row is out."""

    async def done() -> bool:
        for service in s.urls:
            pending = await s.scalar(
                service, "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
            if pending:
                return False
        for service in ("notifications", "facilities"):
            applied = await s.scalar(
                service,
                "SELECT count(*) FROM inbox WHERE event_type = 'samspill.booking.person.erased.v1'",
            )
            if not applied:
                return False
        waiting = await s.scalar(
            "notifications",
            "SELECT count(*) FROM message WHERE status = 'pending' AND next_attempt_at <= now()",
        )
        return not waiting

    await eventually(done, timeout=30, interval=0.2)


async def _found(s: Stack, values: list[str]) -> list[tuple[str, str, str, str]]:
    """(service, table, column, value) for every value found in any text, JSON or bytes
    column of any table of the three databases (text ignoring case)."""
    found: list[tuple[str, str, str, str]] = []
    for service, url in s.databases.items():
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as connection:
                columns = (
                    await connection.execute(
                        text(
                            "SELECT c.table_name, c.column_name, c.data_type "
                            "FROM information_schema.columns c JOIN information_schema.tables t "
                            "USING (table_schema, table_name) WHERE c.table_schema = 'public' "
                            "AND t.table_type = 'BASE TABLE' AND c.data_type = ANY(:types)"
                        ),
                        {"types": list(SCANNED_TYPES)},
                    )
                ).all()
                for table, column, data_type in columns:
                    for value in values:
                        if data_type == "bytea":
                            where = f"position(convert_to(:v, 'UTF8') in \"{column}\") > 0"
                            params = {"v": value}
                        else:
                            where = f'"{column}"::text ILIKE :v'
                            params = {"v": f"%{value}%"}
                        count = (
                            await connection.execute(
                                text(f'SELECT count(*) FROM "{table}" WHERE {where}'), params
                            )
                        ).scalar()
                        if count:
                            found.append((service, table, column, value))
        finally:
            await engine.dispose()
    return found


async def _mail(mailbox: Mailbox, text_in_body: str) -> str | None:
    return next((b for b in mailbox.bodies(EMAIL) if text_in_body in b), None)


async def _new_mail(mailbox: Mailbox, after: int, text_in_body: str) -> str | None:
    return next((b for b in mailbox.bodies(EMAIL)[after:] if text_in_body in b), None)
