"""A rebuild of booking's facilities read model against a broker that lost part of the history
is refused and leaves the read model as it was; with the full history it rebuilds as before."""

from __future__ import annotations

import dataclasses

import pytest

from booking.catalogue.use_cases import rebuild
from samspill.events import facilities as fe
from samspill.infra import start_tansu
from samspill.replay import HistoryMissing
from tests.integration.booking.world import World
from tests.integration.kernel_support import copy_records

pytestmark = pytest.mark.slow

READ_MODEL = ["read_site", "read_space", "read_window", "read_closure", "read_price_rule"]
KEPT = 3  # records the broker that lost its history still holds


async def snapshot(world: World) -> dict[str, list[str]]:
    return {
        table: sorted(str(row[0]) for row in await world.db.rows(f"SELECT state FROM {table}"))
        for table in READ_MODEL
    }


async def test_rebuild_refuses_a_broker_missing_history_and_succeeds_with_all_of_it(world: World):
    before = await snapshot(world)
    applied = await world.db.applied()
    assert applied == len(world.facilities_events()) > KEPT

    partial = start_tansu()
    try:
        thin = dataclasses.replace(world.kafka, bootstrap_servers=partial.url)
        assert await copy_records(world.kafka, thin, fe.TOPIC, keep=lambda n: n < KEPT) == KEPT
        settings = world.service.settings.model_copy(
            update={"kafka_bootstrap_servers": partial.url}
        )

        with pytest.raises(HistoryMissing) as refused:
            await rebuild(settings)
        assert (refused.value.gap.applied, refused.value.gap.missing) == (applied, applied - KEPT)
        assert f"{applied - KEPT} of the {applied}" in str(refused.value)
        assert await snapshot(world) == before, "a refused rebuild changes nothing"

        # --force rebuilds from what the broker holds, dropping the rest (as asked).
        assert await rebuild(settings, force=True) == KEPT
        assert sum(map(len, (await snapshot(world)).values())) == KEPT
    finally:
        partial.stop()

    # Against the broker with the whole history the rebuild succeeds and restores the model.
    assert await rebuild(world.service.settings) == applied
    assert await snapshot(world) == before
