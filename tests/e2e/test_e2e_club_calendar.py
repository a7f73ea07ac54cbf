"""End to end: the three services as real processes on one broker, PostgreSQL and Redis.

A school releases its gym, a club books an evening and a weekly series across the next
daylight-saving switch, both feeds show the booking, the school closes the gym that evening,
and the club gets an email (at a real SMTP server) while the feeds show the booking cancelled
with a higher SEQUENCE. Every feed is checked by icalendar,
recurring-ical-events and ical.js.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notifications.domain.entries import booking_uid
from tests.dates import next_clock_change, ordinary_dates, today
from tests.e2e.stack import Stack, evening, logs_shown_on_failure, register_school, stack, token
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.integration.notifications.calendars import (
    ICAL_STATUS,
    by_ical_js,
    by_icalendar,
    by_recurring_ical_events,
    ical_js_available,
    ical_js_occurrences,
)
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.calendar, pytest.mark.timeout(300)]


CLUB_EMAIL = "styret@skjetten-handball.no"


async def test_e2e_club_calendar_follows_booking_and_closure(
    infra, isolated_kafka, database_factory, tmp_path
):
    mailbox = Mailbox()
    async with (
        smtp_server(mailbox) as smtp_port,
        stack(infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="e2e") as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s, mailbox)


async def _scenario(s: Stack, mailbox: Mailbox) -> None:
    admin = token("admin-1", admin=True)
    # Far enough ahead that the series' first Tuesday, two weeks before it, is still to come.
    switch = next_clock_change(22)

    # The school registers its gym and releases it every evening until after the switch.
    site_id, manager = await register_school(s, admin)
    gym = await s.call(
        "POST",
        "facilities",
        "/spaces",
        manager,
        json={
            "site_id": site_id,
            "name": "Gymsal",
            "kind": "gym",
            "capacity": 60,
            # The next switch can be seven months away.
            "rules": {"horizon_days": 365},
        },
    )
    space_id = gym["space_id"]
    await s.call(
        "POST",
        "facilities",
        f"/spaces/{space_id}/windows",
        manager,
        json={
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "start_time": "17:00",
            "end_time": "22:00",
            "valid_from": today().isoformat(),
            "valid_to": (switch + timedelta(weeks=4)).isoformat(),
        },
    )

    # The club, its private feed token, and the public feed of the gym.
    member = token("member-1")  # registers the club, so administers it
    club = await s.call(
        "POST",
        "booking",
        "/organisations",
        member,
        json={
            "name": "Skjetten Håndballklubb",
            "org_number": "974760673",
            "category": "sports",
            "contact": {"name": "Styret", "email": CLUB_EMAIL},
        },
    )
    issued = await s.once_allowed(
        "POST",
        "notifications",
        "/feed-tokens",
        member,
        json={
            "kind": "organisation",
            "organisation_id": club["id"],
        },
    )
    assert len(issued["url"]) < 256
    club_feed = s.url("notifications", "/feeds" + issued["url"].split("/feeds", 1)[1])
    space_feed = s.url("notifications", f"/feeds/spaces/{space_id}.ics")

    # A weekly series across the daylight-saving weekend.
    first = switch - timedelta(days=(switch.weekday() - 1) % 7 + 14)  # a Tuesday
    weeks = [first + timedelta(weeks=n) for n in range(5)]
    await _until_bookable(
        s,
        member,
        {
            "space_id": space_id,
            "organisation_id": club["id"],
            "activity": "håndball G12",
            "audience": "children_youth",
            "participants": 16,
            "weekday": 1,
            "start_time": "18:00",
            "end_time": "20:00",
            "first_date": first.isoformat(),
            "last_date": weeks[-1].isoformat(),
        },
        "/booking-series",
    )

    # One ordinary evening a week or more ahead, not one of the series; both feeds show it.
    day = next(day for day in ordinary_dates(7) if day not in weeks)
    booking = await s.call(
        "POST",
        "booking",
        "/bookings",
        member,
        json={
            "space_id": space_id,
            "organisation_id": club["id"],
            "activity": "håndball G12",
            "audience": "children_youth",
            "participants": 16,
            "start": evening(day, 18),
            "end": evening(day, 20),
        },
    )
    assert booking["status"] == "confirmed"
    uid = booking_uid(uuid.UUID(booking["booking_id"]))
    await eventually(lambda: _feed_with(s, space_feed, uid), timeout=30, interval=0.02)
    await eventually(lambda: _feed_with(s, club_feed, uid), timeout=30, interval=0.02)
    sequence_before = _event(await _feed_with(s, space_feed, uid), uid)["SEQUENCE"]

    # The school closes the gym that evening: the club is emailed, the feeds show it cancelled.
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
    mail = await eventually(lambda: _mail(mailbox, "er avlyst"), timeout=20)
    assert "fordi lokalet er stengt (Foreldremøte)" in mail
    for url in (space_feed, club_feed):
        body = await eventually(lambda url=url: _cancelled(s, url, uid), timeout=10)
        event = _event(body, uid)
        assert event["SEQUENCE"] > sequence_before
        await _check_parsers(s, body, member, space_id)


async def _until_bookable(s: Stack, member: str, body: dict, path: str) -> Any:
    """Booking learns the space and window from events; until then it refuses the request."""

    async def attempt() -> Any:
        response = await s.client.post(
            s.url("booking", path), json=body, headers={"Authorization": f"Bearer {member}"}
        )
        return response.json() if response.status_code == 201 else None

    created = await eventually(attempt, timeout=30, interval=0.2)
    assert created["skipped"] == [], created["skipped"]
    return created


async def _feed_with(s: Stack, url: str, text: str) -> bytes | None:
    response = await s.client.get(url)
    return (
        response.content
        if response.status_code == 200 and text.encode() in response.content
        else None
    )


async def _cancelled(s: Stack, url: str, uid: str) -> bytes | None:
    body = await _feed_with(s, url, uid)
    return body if body and str(_event(body, uid)["STATUS"]) == "CANCELLED" else None


def _event(body: bytes, uid: str) -> Any:
    return next(e for e in by_icalendar(body).walk("VEVENT") if str(e["UID"]) == uid)


async def _mail(mailbox: Mailbox, text: str) -> str | None:
    return next((b for b in mailbox.bodies(CLUB_EMAIL) if text in b), None)


async def _check_parsers(s: Stack, body: bytes, member: str, space_id: str) -> None:
    """Every parser expands the feed to exactly the bookings the booking service holds."""
    bookings = await s.call("GET", "booking", f"/bookings?space_id={space_id}&limit=1000", member)
    expected = sorted(
        (
            datetime.fromisoformat(b["start"]).astimezone(UTC),
            datetime.fromisoformat(b["end"]).astimezone(UTC),
            ICAL_STATUS[b["status"]],
        )
        for b in bookings
    )
    assert len(expected) >= 5
    found = [(start, end, status) for _, start, end, status in by_recurring_ical_events(body)]
    assert sorted(found) == expected
    if ical_js_available():
        js = [
            (start, end, status) for _, start, end, status in ical_js_occurrences(by_ical_js(body))
        ]
        assert sorted(js) == expected
