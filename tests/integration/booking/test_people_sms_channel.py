"""The channel `sms` in booking: refused (422 `sms-not-available`, nothing stored, nothing
announced) in a profile, an organisation's contact and a resident's own contact on a booking
(a phone number alone means SMS) when no SMS provider is configured, taken when one is: the
kernel's `SMS_PROVIDER`, which notifications reads alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.dates import ordinary_day
from tests.integration.booking.booking_support import Database, org_number
from tests.integration.booking.personal_data_support import booking_body
from tests.integration.booking.world import World
from tests.support import RunningService, running_service, settings_for

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
PROFILE = {
    "display_name": "Kari Nordmann",
    "email": "kari@example.org",
    "phone": "912 34 567",
    "channel": "sms",
}
CONTACT = {"name": "Styret", "phone": "+47 912 34 567", "channel": "sms"}


def organisation(seed: int, contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "org_number": org_number(50_000 + seed * 41),
        "name": f"SMS-laget {seed}",
        "category": "sports",
        "contact": contact,
    }


@pytest.fixture
async def without_sms(
    infra, isolated_kafka, database_factory
) -> AsyncIterator[tuple[RunningService, Database]]:
    url = await database_factory("booking_no_sms")
    settings = settings_for(
        "booking", database_url=url, kafka=isolated_kafka, redis_url=infra.redis.url
    )
    assert settings.sms_provider is None  # type: ignore[attr-defined]
    db = Database(url)
    try:
        async with running_service("booking", settings) as service:
            await World(service=service, db=db, kafka=isolated_kafka).build(organisations=0)
            yield service, db
    finally:
        await db.close()


async def stored(db: Database) -> tuple[Any, ...]:
    return (
        await db.scalar("SELECT count(*) FROM profile"),
        await db.scalar("SELECT count(*) FROM organisation"),
        await db.scalar("SELECT count(*) FROM membership"),
        await db.scalar("SELECT count(*) FROM outbox"),
        await db.scalar("SELECT count(*) FROM booking"),
    )


def assert_sms_refused(answer: Any) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem = answer.json()
    assert problem["type"].endswith("/sms-not-available")
    assert problem["detail_nb"] == (
        "SMS kan ikke velges: tjenesten har ingen SMS-leverandør. Velg e-post."
    )
    assert problem["detail"] == (
        "SMS cannot be chosen: this service has no SMS provider. Choose email."
    )


async def test_without_a_provider_sms_is_refused_and_nothing_is_stored(
    without_sms: tuple[RunningService, Database],
) -> None:
    service, db = without_sms
    kari = service.token("kari")
    before = await stored(db)

    assert_sms_refused(await service.client.put("/me/profile", json=PROFILE, headers=kari))
    refused = await service.client.post(
        "/organisations", json=organisation(1, CONTACT), headers=kari
    )
    assert_sms_refused(refused)
    assert await stored(db) == before

    # Email goes as before: the same details on the channel email are taken.
    email = {**PROFILE, "channel": "email"}
    assert (await service.client.put("/me/profile", json=email, headers=kari)).status_code == 200
    by_mail = {**CONTACT, "email": "styret@example.org", "channel": "email"}
    registered = await service.client.post(
        "/organisations", json=organisation(2, by_mail), headers=kari
    )
    assert registered.status_code == 201, registered.text
    profile = (await service.client.get("/me", headers=kari)).json()["profile"]
    assert (profile["channel"], profile["phone"]) == ("email", "+4791234567")


async def test_with_a_provider_sms_is_taken(world: World) -> None:
    client = world.service.client
    kari = world.person("sms-kari")
    saved = await client.put("/me/profile", json=PROFILE, headers=kari)
    assert saved.status_code == 200, saved.text
    assert saved.json()["channel"] == "sms"
    registered = await client.post("/organisations", json=organisation(3, CONTACT), headers=kari)
    assert registered.status_code == 201, registered.text
    assert registered.json()["contact"]["channel"] == "sms"


async def test_without_a_provider_a_residents_phone_only_contact_is_refused(
    without_sms: tuple[RunningService, Database],
) -> None:
    service, db = without_sms
    classroom = await db.scalar(
        "SELECT space_id FROM read_space WHERE state->>'name' = 'Klasserom 1'"
    )
    resident = service.token("resident-sms")
    day = ordinary_day(8, weekday=3)
    before = await stored(db)
    for contact in ({"phone": "+47 912 34 567"}, {**CONTACT, "email": "kari@example.org"}):
        body = booking_body(classroom, day, contact=contact)
        assert_sms_refused(await service.client.post("/bookings", json=body, headers=resident))
    assert await stored(db) == before

    by_mail = booking_body(classroom, day, contact={"email": "kari@example.org"})
    booked = await service.client.post("/bookings", json=by_mail, headers=resident)
    assert booked.status_code == 201, booked.text
