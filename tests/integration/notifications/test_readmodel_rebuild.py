"""A rebuild of the notifications read model against a broker that lost part of the booking
topic is refused and changes nothing; with the full history it rebuilds the same model, access
grants and profiles included."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from notifications.readmodel.tables import READ_MODEL_TABLE_NAMES
from notifications.readmodel.use_cases import rebuild_read_model
from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.infra import start_tansu
from samspill.replay import HistoryMissing
from tests.integration.kernel_support import copy_records
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    School,
    booking_state,
    membership,
    oslo,
    profile,
    publish,
    staff_grants,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

BOOKINGS = 6


async def snapshot(service: RunningService) -> dict[str, list[str]]:
    async with service.app.state.runtime.sessions() as session:
        return {
            name: sorted(
                str(row[0]) for row in await session.execute(text(f"SELECT r::text FROM {name} r"))
            )
            for name in READ_MODEL_TABLE_NAMES
        }


async def applied(service: RunningService) -> int:
    async with service.app.state.runtime.sessions() as session:
        count = await session.scalar(text("SELECT count(*) FROM inbox"))
    return int(count or 0)


async def test_rebuild_refuses_a_broker_missing_history(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "notifications",
        database_url=await database_factory("notif_rebuild"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        delivery_retry_base_s=3600,
    )
    school, club = School(), Club()
    first = datetime.now(OSLO).date() + timedelta(weeks=2)
    days = [first + timedelta(days=n) for n in range(BOOKINGS)]
    bookings = [booking_state(school, club, oslo(day, 18), oslo(day, 19)) for day in days]
    facilities_events = [
        *school.registration(first, first + timedelta(weeks=4)),
        staff_grants("person-manager", [school.site_id]),
    ]
    booking_events = [
        club.registered(),
        *((bk.BookingConfirmed(booking=b), str(b.space_id)) for b in bookings),
        membership(club.organisation_id, "person-member", "administrator"),
        profile("person-member", email="kari@example.no", display_name="Kari"),
    ]
    total = len(facilities_events) + len(booking_events)

    async with running_service("notifications", settings) as service:
        await publish(isolated_kafka, *facilities_events, *booking_events)
        await eventually(lambda: _at_least(service, total))
        before = await snapshot(service)
        assert len(before["access_grant"]) == 2
        assert len(before["profile"]) == 1
        runtime = service.app.state.runtime

        partial = start_tansu()
        try:
            thin = dataclasses.replace(runtime.kafka, bootstrap_servers=partial.url)
            await copy_records(runtime.kafka, thin, fa.TOPIC, keep=lambda _: True)
            await copy_records(runtime.kafka, thin, bk.TOPIC, keep=lambda n: n < 2)

            with pytest.raises(HistoryMissing) as refused:
                await rebuild_read_model(runtime.sessions, thin)
            gap = refused.value.gap
            assert (gap.applied, gap.missing) == (total, len(booking_events) - 2)
            assert await snapshot(service) == before, "a refused rebuild changes nothing"
        finally:
            partial.stop()

        assert await rebuild_read_model(runtime.sessions, runtime.kafka) == total
        assert await snapshot(service) == before


async def _at_least(service: RunningService, count: int) -> bool:
    return await applied(service) >= count
