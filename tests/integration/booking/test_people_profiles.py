"""Profiles and `/me` against the real service, database and broker: a person enters their
details on first use (ID-porten gives no name), every change is a `ProfileChanged` event, and
a resident's own booking or loan without a contact is told at the profile's address."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from samspill.events import booking as be
from tests.dates import ordinary_day
from tests.integration.booking.booking_support import at, iso
from tests.integration.booking.lending_support import Centre, in_days, loan_request, stock_centre
from tests.integration.booking.world import World
from tests.integration.kernel_support import read_envelopes

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
CHANGED = "samspill.booking.profile.changed.v1"
KARI = {
    "display_name": "  Kari Nordmann ",
    "email": "kari@example.org",
    "phone": "912 34 567",
    "language": "en",
    "channel": "sms",
}


async def profile_events(world: World) -> list[dict[str, Any]]:
    return [e["profile"] for e in await world.db.events(CHANGED)]


async def test_a_person_enters_and_changes_their_profile(world: World):
    client, service = world.service.client, world.service
    kari = world.person("kari")
    assert (await client.get("/me")).status_code == 401
    first = (await client.get("/me", headers=kari)).json()
    assert first == {
        "person_id": service.person_id("kari"),
        "is_admin": False,
        "is_emergency_staff": False,
        "profile": None,
        "memberships": [],
        "managed_site_ids": [],
        "staffed_centre_ids": [],
    }

    for case, bad in {
        "sms without a phone": {**KARI, "phone": None},
        "email without an address": {**KARI, "email": None, "channel": "email"},
        "not an email": {**KARI, "email": "kari(at)example.org"},
        "not a phone": {**KARI, "phone": "ring meg"},
        "no name": {**KARI, "display_name": "   "},
        "a long name": {**KARI, "display_name": "K" * 201},
        "another language": {**KARI, "language": "de"},
        "an unknown field": {**KARI, "pid": "01010112345"},
    }.items():
        refused = await client.put("/me/profile", json=bad, headers=kari)
        assert refused.status_code == 422, (case, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM), case
    assert await world.db.scalar("SELECT count(*) FROM profile") == 0
    assert await profile_events(world) == []

    entered = await client.put("/me/profile", json=KARI, headers=kari)
    assert entered.status_code == 200, entered.text
    profile = entered.json()
    assert profile["display_name"] == "Kari Nordmann"
    assert profile["phone"] == "+4791234567"
    assert (profile["language"], profile["channel"]) == ("en", "sms")
    changed = {**KARI, "display_name": "Kari N.", "phone": None, "channel": "email"}
    assert (await client.put("/me/profile", json=changed, headers=kari)).status_code == 200

    person = service.person_id("kari")
    assert await profile_events(world) == [
        {
            "person_id": person,
            "display_name": "Kari Nordmann",
            "email": "kari@example.org",
            "phone": "+4791234567",
            "language": "en",
            "channel": "sms",
        },
        {
            "person_id": person,
            "display_name": "Kari N.",
            "email": "kari@example.org",
            "phone": None,
            "language": "en",
            "channel": "email",
        },
    ]
    keys = await world.db.rows("SELECT key FROM outbox WHERE event_type = :t", t=CHANGED)
    assert {row.key for row in keys} == {person}
    published = await read_envelopes(
        world.kafka,
        be.contract,
        expected=2,
        accept=lambda envelope: isinstance(envelope.data, be.ProfileChanged),
    )
    assert [e.data.profile.display_name for e in published] == ["Kari Nordmann", "Kari N."]  # type: ignore[union-attr]
    me = (await client.get("/me", headers=kari)).json()
    assert me["profile"]["display_name"] == "Kari N."
    assert me["profile"]["channel"] == "email"

    # An integration has no profile; a municipal admin is told they are one.
    integration = service.token("club-sync", scopes=["samspill.admin"])
    refused = await client.put("/me/profile", json=KARI, headers=integration)
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail_nb"]
    assert (await client.get("/me", headers=integration)).json()["profile"] is None
    assert (await client.get("/me", headers=world.admin())).json()["is_admin"] is True
    assert len(await profile_events(world)) == 2


async def test_first_entries_at_once_store_one_profile_and_announce_each(world: World):
    client, ola = world.service.client, world.person("ola")
    names = [f"Ola {n}" for n in range(6)]
    answers = await asyncio.gather(
        *(
            client.put(
                "/me/profile", json={"display_name": name, "email": "ola@example.org"}, headers=ola
            )
            for name in names
        )
    )
    assert [a.status_code for a in answers] == [200] * len(names), [a.text for a in answers]
    stored = await world.db.scalar("SELECT display_name FROM profile")
    events = [p["display_name"] for p in await profile_events(world)]
    assert sorted(events) == names
    assert events[-1] == stored, "the last event announces what is stored"


async def test_a_residents_booking_and_loan_without_a_contact_go_to_the_profile(world: World):
    client = world.service.client
    resident = world.person("familien-berg")
    day = ordinary_day(9, weekday=3)
    booking = {
        "space_id": str(world.classroom),
        "start": iso(at(day, 18)),
        "end": iso(at(day, 19)),
        "activity": "Bursdag",
        "audience": "private",
        "participants": 8,
    }
    centre = Centre("BUA Skedsmo")
    await stock_centre(world.service, world.kafka, centre, {"telt": (2, 7)})
    loan = loan_request([(centre.type_id("telt"), 1)], in_days(1), in_days(2))
    del loan["contact"]

    for path, body in (("/bookings", booking), ("/loans", loan)):
        refused = await client.post(path, json=body, headers=resident)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/contact-needed")
        assert "profile" in refused.json()["detail"]
        assert refused.json()["detail_nb"]
    assert await world.db.scalar("SELECT count(*) FROM booking") == 0
    assert await world.db.scalar("SELECT count(*) FROM loan") == 0

    profile = {"display_name": "Familien Berg", "email": "berg@example.org", "language": "en"}
    assert (await client.put("/me/profile", json=profile, headers=resident)).status_code == 200
    expected = {
        "name": "Familien Berg",
        "email": "berg@example.org",
        "phone": None,
        "language": "en",
        "channel": "email",
    }
    booked = await client.post("/bookings", json=booking, headers=resident)
    assert booked.status_code == 201, booked.text
    assert booked.json()["contact"] == expected
    [requested] = await world.db.events("samspill.booking.requested.v1")
    assert requested["booking"]["contact"] == expected
    lent = await client.post("/loans", json=loan, headers=resident)
    assert lent.status_code == 201, lent.text
    assert lent.json()["contact"] == expected

    # A contact given with the request wins over the profile.
    given = {"email": "mormor@example.org"}
    later = {
        **booking,
        "start": iso(at(day, 19)),
        "end": iso(at(day, 20)),
        "contact": given,
    }
    own = await client.post("/bookings", json=later, headers=resident)
    assert own.status_code == 201, own.text
    assert own.json()["contact"]["email"] == "mormor@example.org"
