"""A running booking service on a fresh database and broker, fed with a small municipality."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.contract.subjects import outbox_subject_errors
from tests.integration.booking.booking_support import Database
from tests.integration.booking.world import World
from tests.support import running_service, settings_for


@pytest.fixture
async def world(infra, isolated_kafka, database_factory, request) -> AsyncIterator[World]:
    url = await database_factory(f"booking_{request.node.name[:30]}")
    # SMS can be chosen, as where a provider is configured (test_people_sms_channel.py starts
    # booking without one).
    settings = settings_for(
        "booking",
        database_url=url,
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        sms_provider="sveve",
    )
    db = Database(url)
    try:
        async with running_service("booking", settings) as service:
            world = World(service=service, db=db, kafka=isolated_kafka)
            await world.build()
            yield world
        # Every event the test made booking record carries its aggregate id as subject.
        assert await outbox_subject_errors(db.engine) == []
    finally:
        await db.close()
