"""A club's series as a public activity against the real service, database and broker: the
club's booker publishes it with the facts a reader needs (422 when one is missing), a member's
personal email or name is refused, another club cannot reach it (404) and a viewer may not
publish (403); every change is an `activity.published` event keyed by the series' space, and
making it private or cancelling the rest of the series is `activity.withdrawn`."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.booking.test_memberships_members import invite_and_accept
from tests.integration.booking.test_teams_series import make_series
from tests.integration.booking.world import World

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

PROBLEM = "application/problem+json"
PUBLISHED = "samspill.booking.activity.published.v1"
WITHDRAWN = "samspill.booking.activity.withdrawn.v1"
ACTIVITY = {
    "description": "Håndball for jenter og gutter som vil lære. Ta med innesko.",
    "activity": "Håndball",
    "age_group": "children",
    "level": "beginner",
    "languages": ["NB", "en", "nb"],
    "takes_new_members": True,
    "how_to_join": "https://klubben.example.org/bli-med",
}


async def events_of(world: World, kind: str, series_id: str) -> list[dict[str, Any]]:
    return [e for e in await world.db.events(kind) if e["activity"]["series_id"] == series_id]


async def test_a_club_publishes_its_series_and_makes_it_private(world: World):
    client = world.service.client
    club, _ = world.organisations
    series = await make_series(world, club)
    path = f"/booking-series/{series['id']}/public-activity"
    booker = world.member(club)

    assert (await client.get(path, headers=booker)).status_code == 404
    published = await client.put(path, json=ACTIVITY, headers=booker)
    assert published.status_code == 200, published.text
    assert published.json()["languages"] == ["nb", "en"]
    assert (await client.get(path, headers=booker)).json()["activity"] == "Håndball"

    [event] = await events_of(world, PUBLISHED, series["id"])
    state = event["activity"]
    assert state["organisation_id"] == str(club)
    assert (state["site_name"], state["space_name"]) == ("Volla skole", "Storhallen")
    assert state["district"] == "Lillestrøm sentrum"
    assert (state["weekday"], state["local_start_time"], state["local_end_time"]) == (
        1,
        "18:00",
        "19:30",
    )
    assert state["how_to_join"] == ACTIVITY["how_to_join"]
    keys = await world.db.rows("SELECT key FROM outbox WHERE event_type = :t", t=PUBLISHED)
    assert [row.key for row in keys] == [str(world.hall)]

    changed = await client.put(path, json={**ACTIVITY, "takes_new_members": False}, headers=booker)
    assert changed.status_code == 200
    assert len(await events_of(world, PUBLISHED, series["id"])) == 2
    assert await world.db.scalar("SELECT count(*) FROM public_activity") == 1

    assert (await client.delete(path, headers=booker)).status_code == 204
    assert (await client.delete(path, headers=booker)).status_code == 204  # private already
    assert (await client.get(path, headers=booker)).status_code == 404
    [withdrawn] = await events_of(world, WITHDRAWN, series["id"])
    assert withdrawn["activity"]["series_id"] == series["id"]
    assert await world.db.scalar("SELECT count(*) FROM public_activity") == 0


async def test_bad_input_changes_nothing(world: World):
    client = world.service.client
    club, other = world.organisations
    series = await make_series(world, club)
    path = f"/booking-series/{series['id']}/public-activity"
    booker = world.member(club)
    await client.put(
        "/me/profile",
        json={"display_name": "Ragnhild Haugen", "email": "ragnhild.haugen@example.org"},
        headers=booker,
    )

    # A reader's fields missing or wrong: 422, problem+json with bokmål.
    for missing in ACTIVITY:
        body = {k: v for k, v in ACTIVITY.items() if k != missing}
        refused = await client.put(path, json=body, headers=booker)
        assert refused.status_code == 422, (missing, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
    for bad in (
        {**ACTIVITY, "description": "  "},
        {**ACTIVITY, "description": "x" * 501},
        {**ACTIVITY, "activity": "x" * 101},
        {**ACTIVITY, "how_to_join": "x" * 301},
        {**ACTIVITY, "age_group": "toddlers"},
        {**ACTIVITY, "level": "expert"},
        {**ACTIVITY, "languages": []},
        {**ACTIVITY, "languages": ["norsk"]},
        {**ACTIVITY, "contact_person": "Ola"},
        # Never a member personally: their own email or their name.
        {**ACTIVITY, "how_to_join": "Send e-post til Ragnhild.Haugen@example.org"},
        {**ACTIVITY, "how_to_join": "Ring ragnhild  haugen etter kl. 17"},
        {**ACTIVITY, "description": "Trener er Ragnhild Haugen."},
    ):
        refused = await client.put(path, json=bad, headers=booker)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["detail_nb"], bad

    # Another club neither sees nor publishes it; a viewer of the club may not publish.
    outsider = world.member(other)
    assert (await client.put(path, json=ACTIVITY, headers=outsider)).status_code == 404
    assert (await client.get(path, headers=outsider)).status_code == 404
    assert (await client.delete(path, headers=outsider)).status_code == 404
    await invite_and_accept(world, club, "viewer-7", "viewer")
    forbidden = await client.put(path, json=ACTIVITY, headers=world.person("viewer-7"))
    assert forbidden.status_code == 403, forbidden.text
    unknown = f"/booking-series/{uuid.uuid4()}/public-activity"
    assert (await client.put(unknown, json=ACTIVITY, headers=booker)).status_code == 404

    assert await world.db.scalar("SELECT count(*) FROM public_activity") == 0
    assert await events_of(world, PUBLISHED, series["id"]) == []


async def test_cancelling_the_rest_withdraws_the_activity(world: World):
    client = world.service.client
    club, _ = world.organisations
    series = await make_series(world, club)
    path = f"/booking-series/{series['id']}/public-activity"
    booker = world.member(club)
    assert (await client.put(path, json=ACTIVITY, headers=booker)).status_code == 200

    # Cancelling the last two dates withdraws it; the two left can be published again.
    dates = sorted(b["start"][:10] for b in series["created"])
    cancel = f"/booking-series/{series['id']}/cancel"
    partly = await client.post(cancel, json={"from_date": dates[2]}, headers=booker)
    assert partly.status_code == 200, partly.text
    assert len(partly.json()["cancelled"]) == 2
    assert (await client.get(path, headers=booker)).status_code == 404
    assert len(await events_of(world, WITHDRAWN, series["id"])) == 1
    republished = await client.put(path, json=ACTIVITY, headers=booker)
    assert republished.status_code == 200, republished.text

    cancelled = await client.post(cancel, headers=booker)
    assert cancelled.status_code == 200, cancelled.text
    assert (await client.get(path, headers=booker)).status_code == 404
    assert len(await events_of(world, WITHDRAWN, series["id"])) == 2
    # Nothing is left to show: it cannot be published again.
    again = await client.put(path, json=ACTIVITY, headers=booker)
    assert again.status_code == 422, again.text
