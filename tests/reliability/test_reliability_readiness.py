"""Readiness means "can serve": with the broker cut off the three APIs stay ready and answer
reads and writes (the events wait in the outbox and flow when it returns), and notifications,
running with no Redis at all, serves its feeds from the database. The broker's and Redis's
state shows in the metrics instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from samspill.infra import Infrastructure, free_port
from tests.reliability.ops_stack import (
    SERVICES,
    DatabaseFactory,
    OpsStack,
    broker_behind_proxy,
    create_site,
    ops_stack,
    register_club,
)
from tests.reliability.tcp_proxy import TcpProxy
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(300)]


async def all_ready(stack: OpsStack) -> None:
    for name in SERVICES:
        response = await stack.client.get(stack.url(name, "/readyz"))
        assert response.status_code == 200, f"{name} not ready: {response.text}"
        assert set(response.json()["checks"]) == {"database"}


async def site_feed(stack: OpsStack, site_id: str) -> int:
    response = await stack.client.get(stack.url("notifications", f"/feeds/sites/{site_id}.ics"))
    return response.status_code


async def test_apis_stay_ready_and_serve_while_the_broker_is_away(
    infra: Infrastructure, database_factory: DatabaseFactory, tmp_path: Path
) -> None:
    no_redis = {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}  # nothing listens there
    async with (
        broker_behind_proxy() as (proxy, kafka),
        ops_stack(
            infra,
            database_factory,
            kafka,
            tmp_path,
            label="ready",
            env={"notifications": no_redis},
        ) as stack,
    ):
        try:
            await check_outage(stack, proxy)
        except BaseException:
            print(stack.logs())
            raise


async def check_outage(stack: OpsStack, proxy: TcpProxy) -> None:
    before = await create_site(stack, "Volla skole")
    await eventually(lambda: _feed_served(stack, before), timeout=60)
    assert await stack.metric("notifications", "dependency_up", dependency="redis") == 0

    await proxy.cut()
    for name in SERVICES:
        await eventually(lambda n=name: _broker_down(stack, n), timeout=30)
    await all_ready(stack)

    during = await create_site(stack, "Skjetten skole")  # a write to facilities
    await register_club(stack, 1)  # a write to booking
    assert (await stack.request("GET", "facilities", f"/sites/{during}")).status_code == 200
    assert await site_feed(stack, before) == 200  # a read from notifications, without Redis
    assert (await stack.metric("facilities", "outbox_pending") or 0) >= 1
    assert (await stack.metric("booking", "outbox_pending") or 0) >= 1
    assert (await stack.metric("facilities", "outbox_oldest_pending_age_seconds") or 0) > 0
    await all_ready(stack)

    await proxy.restore()
    await eventually(lambda: _feed_served(stack, during), timeout=90)
    for name in ("facilities", "booking"):
        await eventually(lambda n=name: _outbox_drained(stack, n), timeout=60)
    # The monitor probes on its own interval: it reports the broker back a moment later.
    await eventually(lambda: _broker_up(stack, "booking"), timeout=30)
    await all_ready(stack)


async def _feed_served(stack: OpsStack, site_id: str) -> bool:
    return await site_feed(stack, site_id) == 200


async def _broker_down(stack: OpsStack, service: str) -> bool:
    return await stack.metric(service, "dependency_up", dependency="broker") == 0


async def _broker_up(stack: OpsStack, service: str) -> bool:
    return await stack.metric(service, "dependency_up", dependency="broker") == 1


async def _outbox_drained(stack: OpsStack, service: str) -> bool:
    return await stack.metric(service, "outbox_pending") == 0
