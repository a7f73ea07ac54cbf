"""The public activity guide built from booking's events: `/guide` as JSON with its filters,
the iCal feed of a district's activity (one weekly event per activity, ETag and 304), a
withdrawn activity leaving both, a club's new name reaching them, and a rebuild from the
state topic that ends in the same guide."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar

from notifications.readmodel.use_cases import rebuild_read_model
from samspill.events import booking as bk
from tests.dates import ordinary_day
from tests.integration.notifications.builders import Club, publish
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


def activity(club: Club, **changes: Any) -> bk.PublicActivityState:
    first = ordinary_day(7, weekday=2)
    values: dict[str, Any] = {
        "series_id": uuid.uuid4(),
        "organisation_id": club.organisation_id,
        "organisation_name": club.name,
        "team_name": "J12",
        "site_id": uuid.uuid4(),
        "site_name": "Skjetten skole",
        "district": "strommen",
        "space_name": "Gymsalen",
        "weekday": 2,
        "local_start_time": "17:30",
        "local_end_time": "19:00",
        "first_date": first,
        "last_date": first + timedelta(weeks=10),
        "description": "Håndball for nybegynnere. Ta med innesko.",
        "activity": "Håndball",
        "age_group": "children",
        "level": "beginner",
        "languages": ["nb", "en"],
        "takes_new_members": True,
        "how_to_join": "https://skjetten-hk.example.org/bli-med",
    }
    return bk.PublicActivityState(**{**values, **changes})


async def guide(service: RunningService, **params: str) -> list[dict[str, Any]]:
    answer = await service.client.get("/guide", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["activities"])


async def test_the_guide_follows_the_activities(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "notifications",
        database_url=await database_factory("notif_guide"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        public_base_url="https://samspill.lillestrom.kommune.no",
        delivery_retry_base_s=3600,
    )
    club = Club()
    handball = activity(club)
    youth = activity(club, activity="håndball ", age_group="youth", takes_new_members=False)
    chess = activity(club, activity="Sjakk", district="kjeller", team_name=None)
    async with running_service("notifications", settings) as service:
        await publish(
            isolated_kafka,
            club.registered(),
            *((bk.ActivityPublished(activity=a), str(a.site_id)) for a in (handball, youth, chess)),
        )

        async def all_there() -> bool:
            return len(await guide(service)) == 3

        await eventually(all_there)
        shown = await guide(service, district="strommen", activity="HÅNDBALL")
        assert {a["series_id"] for a in shown} == {str(handball.series_id), str(youth.series_id)}
        first = next(a for a in shown if a["series_id"] == str(handball.series_id))
        assert first["district_name"] == "Strømmen"
        assert first["how_to_join"] == handball.how_to_join
        assert first["feed_url"].endswith("/guide/strommen/h%C3%A5ndball.ics")
        assert "contact" not in str(first)
        assert [a["series_id"] for a in await guide(service, age_group="youth")] == [
            str(youth.series_id)
        ]
        assert len(await guide(service, takes_new_members="true")) == 2
        assert await guide(service, district="fetsund") == []
        names = (await service.client.get("/guide")).json()["activity_names"]
        assert len(names) == 2
        for bad in ({"district": "atlantis"}, {"age_group": "toddlers"}, {"activity": "x" * 101}):
            assert (await service.client.get("/guide", params=bad)).status_code == 422, bad

        feed_path = "/guide/strommen/håndball.ics"
        feed = await service.client.get(feed_path)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        events = [c for c in Calendar.from_ical(feed.content).walk("VEVENT")]
        assert sorted(str(e["UID"]) for e in events) == sorted(
            f"activity-{a.series_id}@samspill" for a in (handball, youth)
        )
        assert all("FREQ" in e["RRULE"] for e in events)
        assert "Skjetten Håndballklubb – J12" in str(events[0]["SUMMARY"])
        again = await service.client.get(feed_path, headers={"If-None-Match": feed.headers["etag"]})
        assert again.status_code == 304
        assert (await service.client.get("/guide/atlantis/håndball.ics")).status_code == 422
        empty = await service.client.get("/guide/fetsund/curling.ics")
        assert empty.status_code == 200
        assert b"VEVENT" not in empty.content

        # Made private: it leaves the JSON and the feed (a new ETag, a later Last-Modified).
        await publish(isolated_kafka, (bk.ActivityWithdrawn(activity=youth), str(youth.site_id)))

        async def gone() -> bool:
            return len(await guide(service)) == 2

        await eventually(gone)
        after = await service.client.get(feed_path, headers={"If-None-Match": feed.headers["etag"]})
        assert after.status_code == 200
        assert str(youth.series_id) not in after.text
        assert str(handball.series_id) in after.text

        # The club's new name reaches its activities.
        registered = club.registered()[0]
        assert isinstance(registered, bk.OrganisationRegistered)
        state = registered.organisation.model_copy(update={"name": "Skjetten HK"})
        renamed = bk.OrganisationUpdated(organisation=state)
        await publish(isolated_kafka, (renamed, str(club.organisation_id)))

        async def renamed_shown() -> bool:
            return {a["organisation_name"] for a in await guide(service)} == {"Skjetten HK"}

        await eventually(renamed_shown)
        before = await guide(service)
        runtime = service.app.state.runtime
        # From the state topic: the latest state of the club and of each of its activities.
        assert await rebuild_read_model(runtime.sessions, runtime.kafka) == 4
        assert await guide(service) == before
