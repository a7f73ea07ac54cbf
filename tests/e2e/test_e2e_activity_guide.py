"""End to end: the three services as real processes on one broker, PostgreSQL and Redis.

A school releases its gym, a club books a weekly series and publishes it as a public activity:
it appears in notifications' public guide (JSON) and in its district's activity feed within the
event lag, as one weekly event; made private, it leaves both. Every wait is on the condition.
"""

from __future__ import annotations

from typing import Any

import pytest
from icalendar import Calendar

from tests.dates import today, weekly_dates
from tests.e2e.stack import Stack, logs_shown_on_failure, register_school, stack, token
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.calendar, pytest.mark.timeout(300)]

ACTIVITY = {
    "description": "Innebandy for ungdom som vil lære. Ta med innesko.",
    "activity": "Innebandy",
    "age_group": "youth",
    "level": "beginner",
    "languages": ["nb", "en"],
    "takes_new_members": True,
    "how_to_join": "https://skjetten-ibk.example.org/bli-med",
}


async def test_e2e_a_public_series_appears_in_the_guide_and_leaves_it(
    infra, isolated_kafka, database_factory, tmp_path
):
    async with (
        smtp_server(Mailbox()) as smtp_port,
        stack(infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="guide") as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s)


async def _scenario(s: Stack) -> None:
    admin = token("admin-1", admin=True)
    site_id, manager = await register_school(s, admin)
    weeks = weekly_dates(4, 7, weekday=2)
    gym = await s.call(
        "POST",
        "facilities",
        "/spaces",
        manager,
        json={"site_id": site_id, "name": "Gymsal", "kind": "gym", "capacity": 60},
    )
    await s.call(
        "POST",
        "facilities",
        f"/spaces/{gym['space_id']}/windows",
        manager,
        json={
            "weekdays": [2],
            "start_time": "17:00",
            "end_time": "22:00",
            "valid_from": today().isoformat(),
            "valid_to": weeks[-1].isoformat(),
        },
    )
    member = token("member-1")
    club = await s.call(
        "POST",
        "booking",
        "/organisations",
        member,
        json={
            "name": "Skjetten Innebandyklubb",
            "org_number": "974760673",
            "category": "sports",
            "contact": {"name": "Styret", "email": "styret@skjetten-ibk.example.org"},
        },
    )
    body = {
        "space_id": gym["space_id"],
        "organisation_id": club["id"],
        "activity": "innebandy",
        "audience": "children_youth",
        "participants": 16,
        "weekday": 2,
        "start_time": "18:00",
        "end_time": "19:30",
        "first_date": weeks[0].isoformat(),
        "last_date": weeks[-1].isoformat(),
    }

    async def booked() -> Any:
        # Booking learns the space and window from events; until then it refuses the series.
        response = await s.request("POST", "booking", "/booking-series", member, json=body)
        return response.json() if response.status_code == 201 else None

    series = await eventually(booked, timeout=30, interval=0.2)
    path = f"/booking-series/{series['id']}/public-activity"
    await s.call("PUT", "booking", path, member, json=ACTIVITY)

    uid = f"activity-{series['id']}@samspill"
    feed = s.url("notifications", "/guide/skedsmo/innebandy.ics")

    async def listed() -> dict[str, Any] | None:
        answer = await s.client.get(
            s.url("notifications", "/guide"), params={"district": "skedsmo"}
        )
        found = [a for a in answer.json()["activities"] if a["series_id"] == series["id"]]
        return found[0] if found else None

    shown = await eventually(listed, timeout=30, interval=0.1)
    assert shown["organisation_name"] == "Skjetten Innebandyklubb"
    assert (shown["weekday"], shown["local_start_time"]) == (2, "18:00")
    assert shown["feed_url"].endswith("/guide/skedsmo/innebandy.ics")

    async def in_feed() -> bytes | None:
        response = await s.client.get(feed)
        return response.content if uid.encode() in response.content else None

    calendar = Calendar.from_ical(await eventually(in_feed, timeout=30, interval=0.1))
    [event] = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
    assert "FREQ=WEEKLY" in event["RRULE"].to_ical().decode()
    assert str(event["SUMMARY"]) == "Innebandy – Skjetten Innebandyklubb"

    # Made private: it leaves the guide and the feed.
    await s.call("DELETE", "booking", path, member)

    async def gone() -> bool:
        return await listed() is None and uid.encode() not in (await s.client.get(feed)).content

    await eventually(gone, timeout=30, interval=0.1)
